/**
 * Dockerfile variable substitution as BuildKit does it for FROM, COPY, WORKDIR, ENV, EXPOSE, LABEL…:
 * `$NAME`, `${NAME}`, `${NAME:-fallback}` and `${NAME:+replacement}`; an unset name becomes "".
 */
export function substitute(text: string, variables: ReadonlyMap<string, string>): string {
  return text.replace(
    /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::([-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g,
    (_match, braced: string | undefined, operator: string | undefined, word: string | undefined, bare?: string) => {
      const value = variables.get((braced ?? bare) as string);
      if (operator === "-") return value ? value : substitute(word ?? "", variables);
      if (operator === "+") return value ? substitute(word ?? "", variables) : "";
      return value ?? "";
    },
  );
}
