// NamingFuzzyWatchRequest (Nacos 3): watch or stop watching every service matching a pattern
// `namespace>>groupPattern>>servicePattern`. The answer is empty; what matches arrives as
// NamingFuzzyWatchSyncRequest pushes, later changes as NamingFuzzyWatchChangeNotifyRequest.
import type { HandlerRegistry } from "../handler-registry.ts";
import type { FuzzyWatchNotifier } from "../../naming/fuzzy-watch/fuzzy-watch-notifier.ts";
import { requireWatchType } from "../../naming/fuzzy-watch/fuzzy-watch-registry.ts";
import { badParam } from "../../naming/naming-errors.ts";
import { stringField } from "../validate.ts";
import { namingHandler } from "./naming-request.ts";

export function registerNamingFuzzyWatch(handlers: HandlerRegistry, fuzzy: FuzzyWatchNotifier): void {
  handlers.register(
    "NamingFuzzyWatchRequest",
    namingHandler("NamingFuzzyWatchResponse", (request, ctx) => {
      const pattern = stringField(request, "groupKeyPattern");
      if (requireWatchType(request.watchType) === "CANCEL_WATCH") {
        fuzzy.cancel(pattern, ctx.connectionId);
      } else {
        const received = request.receivedGroupKeys ?? [];
        if (!Array.isArray(received) || received.some((k) => typeof k !== "string")) throw badParam("receivedGroupKeys must be a list of service keys");
        // Jackson writes isInitializing() as "initializing".
        fuzzy.watch(pattern, ctx.connectionId, received as string[], request.initializing === true || request.isInitializing === true);
      }
      return { type: "NamingFuzzyWatchResponse" };
    }),
    { errorResponseType: "NamingFuzzyWatchResponse", access: { action: "read" } },
  );
}
