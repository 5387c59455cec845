// Explicit limits on what a request may carry. Bodies are capped by Bun.serve's
// maxRequestBodySize (413); URL length and total header size are checked here (414, 431).
// Bun itself answers 431 above 16 KiB of headers, so the header walk (costly on hot paths) only
// runs when a lower limit is configured.

/** Bun's own cap on request header bytes; RNACOS_HTTP_MAX_HEADER_SIZE can lower it, not raise it. */
export const BUN_HEADER_LIMIT = 16 * 1024;
import { jsonError } from "./error-body.ts";

export interface RequestLimits {
  maxBodyBytes: number;
  maxUrlLength: number;
  maxHeaderBytes: number;
}

/** Returns an error response when the request is over a limit, else undefined. */
export function checkRequestLimits(request: Request, limits: RequestLimits, url = request.url): Response | undefined {
  if (url.length > limits.maxUrlLength) {
    return jsonError(414, `request URL is longer than ${limits.maxUrlLength} bytes`, "");
  }
  if (limits.maxHeaderBytes < BUN_HEADER_LIMIT && headerBytesOf(request) > limits.maxHeaderBytes) {
    return jsonError(431, `request headers are larger than ${limits.maxHeaderBytes} bytes`, new URL(url).pathname);
  }
  // A GET's body is never read; Bun still caps it. Skipping the header lookup matters on the hot reads.
  const declared = request.method === "GET" ? null : request.headers.get("content-length");
  if (declared !== null && Number(declared) > limits.maxBodyBytes) {
    return jsonError(413, `request body is larger than ${limits.maxBodyBytes} bytes`, new URL(url).pathname);
  }
  return undefined;
}

function headerBytesOf(request: Request): number {
  let bytes = 0;
  request.headers.forEach((value, name) => {
    bytes += name.length + value.length + 4;
  });
  return bytes;
}
