import { z } from "zod";

/** The front-door concern's variables. */
export const frontDoorEnvironment = z.object({});
