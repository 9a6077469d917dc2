import { z } from "zod";
import { strictObject } from "./problems";

/** `gitlab`: the GitLab instance every runner registers with. */
export const gitlabSchema = strictObject({
    /** → the chart's `gitlabUrl`. Must be https: runner tokens travel to it. */
    url: z.string().refine((u) => /^https:\/\/[^\s/]+(\/[^\s]*)?$/.test(u), {
        error: (iss) => `${JSON.stringify(iss.input)} is not an https:// URL (e.g. https://gitlab.example.com/)`,
    }),
});

export type GitlabConfig = z.output<typeof gitlabSchema>;
