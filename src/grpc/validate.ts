// Edge validation for handler input: a request body is untyped JSON until a handler has checked it.
import { invalid } from "../errors.ts";
import type { JsonObject } from "./payload.ts";

type Present = string | number | boolean | JsonObject | unknown[];

/**
 * Checks that every named field is present, not null and, when a string, not blank; throws
 * DomainError("invalid", errorCode 400) naming every missing field. Returns the body typed with them.
 *
 *   const req = requireFields(body, ["dataId", "group"]);   // req.dataId: Present
 */
export function requireFields<K extends string>(body: JsonObject, fields: readonly K[]): JsonObject & Record<K, Present> {
  const missing = fields.filter((f) => {
    const v = body[f];
    return v === undefined || v === null || (typeof v === "string" && v.trim() === "");
  });
  if (missing.length > 0) {
    throw invalid(`missing required field${missing.length > 1 ? "s" : ""}: ${missing.join(", ")}`, 400);
  }
  return body as JsonObject & Record<K, Present>;
}

/** A string field or a default: numbers and booleans are turned into text, other types rejected (400). */
export function stringField(body: JsonObject, field: string, fallback = ""): string {
  const v = body[field];
  if (v === undefined || v === null) return fallback;
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  throw invalid(`field ${field} must be a string`, 400);
}
