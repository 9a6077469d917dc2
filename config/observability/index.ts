// `observability`: what the fleet metrics are, how they are collected, and the section's config.
export * from "./metrics";
export * from "./scrape";
export * from "./schema";
export * from "./cost";
