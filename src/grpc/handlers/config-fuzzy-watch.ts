// ConfigFuzzyWatchRequest (Nacos 3): WATCH a group-key pattern (the sync pushes follow the answer) or
// CANCEL_WATCH it. Over a limit the answer carries Nacos's code (50310 patterns, 50311 matched configs).
import type { FuzzyWatchRegistry } from "../../config/listen/fuzzy-watch.ts";
import { invalidParam } from "../../config/model/validation.ts";
import { DomainError } from "../../errors.ts";
import type { HandlerRegistry } from "../handler-registry.ts";
import { stringField } from "../validate.ts";

export function registerConfigFuzzyWatch(handlers: HandlerRegistry, fuzzy: FuzzyWatchRegistry): void {
  handlers.register(
    "ConfigFuzzyWatchRequest",
    (request, ctx) => {
      try {
        const pattern = stringField(request, "groupKeyPattern");
        const watchType = stringField(request, "watchType", "WATCH");
        if (watchType === "CANCEL_WATCH") {
          fuzzy.cancel(ctx.connectionId, pattern);
          return { type: "ConfigFuzzyWatchResponse" };
        }
        if (watchType !== "WATCH") throw invalidParam(`unknown watchType ${watchType}`);
        const received = Array.isArray(request.receivedGroupKeys) ? request.receivedGroupKeys.filter((k): k is string => typeof k === "string") : [];
        const initializing = request.initializing === true || request.isInitializing === true;
        fuzzy.watch(ctx.connectionId, pattern, received, initializing);
        return { type: "ConfigFuzzyWatchResponse" };
      } catch (err) {
        if (err instanceof DomainError && err.kind !== "internal") return { type: "ConfigFuzzyWatchResponse", error: { code: err.nacosCode === 20002 ? 400 : err.nacosCode, message: err.message } };
        throw err;
      }
    },
    { errorResponseType: "ConfigFuzzyWatchResponse", access: { action: "read" } },
  );
}
