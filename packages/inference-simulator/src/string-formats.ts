import type { Rng } from "./random.ts";
import { slugOf, type Topic } from "./topic.ts";

const pad = (value: number, width = 2) => String(value).padStart(width, "0");

function isoDate(rng: Rng): string {
  // Dates near the present, but drawn from the seed rather than the clock.
  return `${rng.int(2024, 2026)}-${pad(rng.int(1, 12))}-${pad(rng.int(1, 28))}`;
}

function isoTime(rng: Rng): string {
  return `${pad(rng.int(0, 23))}:${pad(rng.int(0, 59))}:${pad(rng.int(0, 59))}`;
}

function hex(rng: Rng, length: number): string {
  return Array.from({ length }, () => rng.int(0, 15).toString(16)).join("");
}

/** A version-4 UUID from the seed (it passes strict UUID patterns: version and variant nibbles). */
export function uuidFrom(rng: Rng): string {
  const variant = rng.pick(["8", "9", "a", "b"]);
  return `${hex(rng, 8)}-${hex(rng, 4)}-4${hex(rng, 3)}-${variant}${hex(rng, 3)}-${hex(rng, 12)}`;
}

/**
 * A value for a JSON Schema `format` (the ones in the 2020-12 vocabulary and common extensions),
 * or undefined for formats it does not know.
 */
export function formatValue(format: string, rng: Rng, topic: Topic): string | undefined {
  const slug = slugOf(topic.words, 2);
  switch (format) {
    case "date-time":
      return `${isoDate(rng)}T${isoTime(rng)}Z`;
    case "date":
      return isoDate(rng);
    case "time":
      return isoTime(rng);
    case "duration":
      return `PT${rng.int(1, 59)}M`;
    case "email":
    case "idn-email":
      return `${slug.split("-")[0] ?? "dev"}@example.com`;
    case "hostname":
    case "idn-hostname":
      return `${slug}.example.com`;
    case "ipv4":
      return `10.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
    case "ipv6":
      return `fd00::${hex(rng, 4)}:${hex(rng, 4)}`;
    case "uri":
    case "iri":
    case "url":
      return `https://example.com/${slug}`;
    case "uri-reference":
    case "iri-reference":
      return `/${slug}`;
    case "uri-template":
      return `https://example.com/${slug}/{id}`;
    case "uuid":
    case "guid":
      return uuidFrom(rng);
    case "json-pointer":
      return `/${slug}/0`;
    case "relative-json-pointer":
      return "0";
    case "regex":
      return "^[a-z]+$";
    default:
      return undefined;
  }
}
