// Message compression (grpc-encoding). Requests flagged as compressed are inflated with the encoding the
// client named; the inflated size is capped at the same limit as uncompressed messages, so a small
// "zip bomb" cannot blow up memory. Responses are always sent uncompressed, which every client accepts.
import { nodeZlib } from "../lazy-builtins.ts";
import type { GrpcFrame } from "./framing.ts";
import { GrpcError, GrpcStatus } from "./status.ts";

export const SUPPORTED_ENCODINGS = ["identity", "gzip", "deflate"] as const;
export const ACCEPT_ENCODING = SUPPORTED_ENCODINGS.join(",");

export function isSupportedEncoding(encoding: string | undefined): boolean {
  return encoding === undefined || (SUPPORTED_ENCODINGS as readonly string[]).includes(encoding);
}

/** The message bytes of a frame, inflated if it is compressed. Throws GrpcError on any problem. */
export function frameBytes(frame: GrpcFrame, encoding: string | undefined, maxMessageBytes: number): Uint8Array {
  if (!frame.compressed) return frame.data;
  if (encoding === undefined || encoding === "identity") {
    throw new GrpcError(GrpcStatus.INTERNAL, "compressed message received but grpc-encoding is identity or missing");
  }
  const inflate = encoding === "gzip" ? nodeZlib().gunzipSync : encoding === "deflate" ? nodeZlib().inflateSync : undefined;
  if (!inflate) throw new GrpcError(GrpcStatus.UNIMPLEMENTED, `unsupported grpc-encoding "${encoding}" (supported: ${ACCEPT_ENCODING})`);
  try {
    return inflate(frame.data, { maxOutputLength: maxMessageBytes });
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "ERR_BUFFER_TOO_LARGE" || code === "ERR_OUT_OF_RANGE") {
      throw new GrpcError(GrpcStatus.RESOURCE_EXHAUSTED, `Received message larger than max after ${encoding} decompression (limit ${maxMessageBytes})`);
    }
    throw new GrpcError(GrpcStatus.INTERNAL, `could not decompress ${encoding} message: ${(err as Error).message}`);
  }
}
