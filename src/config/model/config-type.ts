// The content types Nacos knows (api ConfigType) and the media type a v1 GET answers with for each
// (config server FileTypeEnum). An unknown or missing type is stored as "text", as Nacos does.

export const CONFIG_TYPES = ["properties", "xml", "json", "text", "html", "yaml", "toml", "unset"] as const;
export type ConfigType = (typeof CONFIG_TYPES)[number];

export const DEFAULT_CONFIG_TYPE: ConfigType = "text";

export function configTypeOf(raw: string | undefined | null): ConfigType {
  const t = (raw ?? "").trim().toLowerCase();
  if (t === "yml") return "yaml";
  if (t === "txt") return "text";
  if (t === "htm") return "html";
  return (CONFIG_TYPES as readonly string[]).includes(t) ? (t as ConfigType) : DEFAULT_CONFIG_TYPE;
}

const MEDIA_TYPE: Partial<Record<string, string>> = {
  json: "application/json;charset=UTF-8",
  xml: "application/xml;charset=UTF-8",
  html: "text/html;charset=UTF-8",
};

export function mediaTypeOf(type: string): string {
  return MEDIA_TYPE[type] ?? "text/plain;charset=UTF-8";
}
