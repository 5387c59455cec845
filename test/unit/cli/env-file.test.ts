import { expect, test } from "bun:test";
import { parseEnvFile } from "../../../src/cli/env-file.ts";

test("dotenv syntax: comments, export, quotes, inline comments, CRLF", () => {
  const text = [
    "# comment",
    "RNACOS_HTTP_PORT=18848",
    "export RNACOS_LOG=debug",
    'RNACOS_CLUSTER_TOKEN="a b # c"',
    "RNACOS_SDK_HOST='127.0.0.1'",
    "RNACOS_DATA_DIR=/data # where data lives",
    "",
    "NOT A LINE",
    "EMPTY=",
  ].join("\r\n");
  expect(parseEnvFile(text)).toEqual({
    RNACOS_HTTP_PORT: "18848",
    RNACOS_LOG: "debug",
    RNACOS_CLUSTER_TOKEN: "a b # c",
    RNACOS_SDK_HOST: "127.0.0.1",
    RNACOS_DATA_DIR: "/data",
    EMPTY: "",
  });
});
