/** The oldest Node every published @hub package supports (their `engines.node`). */
export declare const MIN_NODE_VERSION: string;
/** The one line to print when `found` is older than MIN_NODE_VERSION, or undefined when it is new enough. */
export declare function nodeVersionProblem(cli: string, found: string): string | undefined;
/** Checks the Node version, then imports `../dist/<entry>.js` (or `../src/<entry>.ts` in a checkout) next to `binUrl`. */
export declare function launchCli(cli: string, binUrl: string | URL, entry?: string): Promise<void>;
