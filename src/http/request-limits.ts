// Explicit limits on what a request may carry. Bodies are capped by Bun.serve's
// maxRequestBodySize (413); URL length and total header size are checked here (414, 431).
import { jsonError } from "./error-body.ts";

export interface RequestLimits {
  maxBodyBytes: number;
  maxUrlLength: number;
  maxHeaderBytes: number;
}

/** Returns an error response when the request is over a limit, else undefined. */
export function checkRequestLimits(request: Request, limits: RequestLimits): Response | undefined {
  const url = request.url;
  if (url.length > limits.maxUrlLength) {
    return jsonError(414, `request URL is longer than ${limits.maxUrlLength} bytes`, "");
  }
  let headerBytes = 0;
  request.headers.forEach((value, name) => {
    headerBytes += name.length + value.length + 4;
  });
  if (headerBytes > limits.maxHeaderBytes) {
    return jsonError(431, `request headers are larger than ${limits.maxHeaderBytes} bytes`, new URL(url).pathname);
  }
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limits.maxBodyBytes) {
    return jsonError(413, `request body is larger than ${limits.maxBodyBytes} bytes`, new URL(url).pathname);
  }
  return undefined;
}
