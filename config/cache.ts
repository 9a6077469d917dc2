import { z } from "zod";
import { strictObject } from "./problems";

/** `cache`: the shared S3 build cache of all runners. */
export const cacheSchema = strictObject({}).default({});
export type CacheConfig = Readonly<z.output<typeof cacheSchema>>;
