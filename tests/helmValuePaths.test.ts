// The template reading of scripts/upstream/helmValuePaths.ts, which generates the chart value fixtures: each way a chart
// reads a value, shown on the template text it was written for (the charts named in tests/fixtures/upstream/SOURCES.md).
import { strict as assert } from "assert";
import { templatePaths } from "../scripts/upstream/helmValuePaths";

const read = (...templates: string[]) => templatePaths(templates).read.sort();
const whole = (...templates: string[]) => templatePaths(templates).whole.sort();

describe("chart value paths read from templates", () => {
    it("a .Values path is read; toYaml of it passes it on whole", () => {
        assert.deepEqual(read("replicas: {{ .Values.replicas }} {{ $.Values.image.tag }}"), ["image.tag", "replicas"]);
        assert.deepEqual(whole("resources: {{ toYaml .Values.resources | nindent 12 }}"), ["resources"]);
    });

    // metrics-server 3.13.1 templates/deployment.yaml; gitlab-runner 0.86.0 templates/podmonitor.yaml.
    it("`with .Values.x` then `toYaml .` passes x on whole, but not after the block ends or another opens", () => {
        assert.deepEqual(whole("{{- with .Values.tolerations }}\ntolerations:\n  {{- toYaml . | nindent 8 }}\n{{- end }}"), [
            "tolerations",
        ]);
        assert.deepEqual(whole("{{- with .Values.a }}x: {{ . }}{{- end }}{{ toYaml . }}"), []);
        assert.deepEqual(whole("{{- with .Values.a }}{{ range .b }}{{ toYaml . }}{{ end }}{{ end }}"), []);
    });

    // cluster-autoscaler 9.59.0: `range $key, $value := .Values.extraArgs` renders every key as a flag.
    it("a map ranged over with key and value takes any key", () => {
        assert.deepEqual(whole("{{- range $key, $value := .Values.extraArgs }}--{{ $key }}{{ end }}"), ["extraArgs"]);
    });

    // cluster-autoscaler 9.59.0 templates/role.yaml; amazon-cloudwatch-observability 6.4.0 templates/_helpers.tpl.
    it("index with literal keys reads them; with a computed key it takes any key", () => {
        assert.deepEqual(read('{{ index .Values.extraArgs "leader-elect-resource-lock" }}'), [
            "extraArgs",
            "extraArgs.leader-elect-resource-lock",
        ]);
        assert.deepEqual(whole("{{ index .Values.manager.image.repositoryDomainMap .Values.region }}"), [
            "manager.image.repositoryDomainMap",
        ]);
    });

    // amazon-cloudwatch-observability 6.4.0: templates/linux/cloudwatch-agent-custom-resource.yaml and _helpers.tpl.
    it("a variable merged from .Values.x reads x, inside its own define only", () => {
        const resource =
            "{{- range .Values.agents }}{{- $agent := mergeOverwrite (deepCopy $.Values.agent) . }}mode: {{ $agent.mode }}";
        assert.ok(read(resource).includes("agent.mode"));
        const helper = '{{- define "modifier" -}}{{- $agent := pluck "agent" .Config | first }}{{ $agent.region }}{{- end }}';
        assert.ok(!read(resource, helper).includes("agent.region"), "another block's $agent is not .Values.agent");
    });

    it("a helper's dig of a dict parameter reads that key of each path passed; its toJson passes the path on whole", () => {
        const helpers = [
            '{{- define "common.tolerations" -}}{{- $t := dig "tolerations" nil .component }}{{- end }}',
            '{{- define "modify-config" -}}{{- default "" .Config | toJson | quote }}{{- end }}',
        ].join("\n");
        const callers = [
            '{{- dict "component" .Values.manager "context" . | include "common.tolerations" | nindent 6 }}',
            'config: {{ include "modify-config" (merge (dict "Config" .Values.agent.config) $ ) }}',
        ].join("\n");
        assert.ok(read(helpers, callers).includes("manager.tolerations"));
        assert.ok(whole(helpers, callers).includes("agent.config"));
    });
});
