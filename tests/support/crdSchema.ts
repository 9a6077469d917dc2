// Validates objects against the OpenAPI schema of a CustomResourceDefinition, as the API server would on create:
// JSON-schema keywords with ajv, unknown fields rejected (the server would prune them silently, which hides typos),
// and the CEL rules (`x-kubernetes-validations`) each object reaches collected, so a test can check them one by one
// (ajv does not evaluate CEL).
import Ajv from "ajv";
import * as fs from "fs";
import { parseAllDocuments } from "yaml";

type Schema = Record<string, any>;

/** Every CRD in a multi-document YAML file, by kind. */
export function loadCrds(file: string): Map<string, Schema> {
    const docs = parseAllDocuments(fs.readFileSync(file, "utf8")).map((d) => d.toJS() as Schema);
    return new Map(docs.map((d) => [d.spec.names.kind as string, d]));
}

/**
 * The `openAPIV3Schema` of a CRD's storage version, without `status` (the controller writes it; a client may not):
 * half the schema, and so half the time ajv takes to compile it.
 */
export function storageSchema(crd: Schema): Schema {
    const version = crd.spec.versions.find((v: Schema) => v.storage) ?? crd.spec.versions[0];
    const { status: _status, ...properties } = version.schema.openAPIV3Schema.properties;
    return { ...version.schema.openAPIV3Schema, properties };
}

/** A copy of a structural schema in which objects with declared properties admit no other field. */
function strict(schema: Schema): Schema {
    if (Array.isArray(schema)) return schema.map(strict);
    if (schema === null || typeof schema !== "object") return schema;
    const out: Schema = Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, strict(v)]));
    if (out.properties && out.additionalProperties === undefined && !out["x-kubernetes-preserve-unknown-fields"])
        out.additionalProperties = false;
    return out;
}

const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, unicodeRegExp: false });
/** Compiling a CRD's schema takes most of a second: once per schema. */
const compiled = new WeakMap<Schema, ReturnType<typeof ajv.compile>>();

/** Schema errors of `object` as `path message` lines (none: valid). */
export function schemaErrors(schema: Schema, object: unknown): string[] {
    if (!compiled.has(schema)) compiled.set(schema, ajv.compile(strict(schema)));
    const validate = compiled.get(schema)!;
    if (validate(object)) return [];
    return (validate.errors ?? []).map(
        (e) => `${e.instancePath || "/"} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ""}`,
    );
}

/** One CEL rule an object reaches: the value it applies to (`self`) and where. */
export interface CelCheck {
    readonly rule: string;
    readonly message: string;
    readonly path: string;
    readonly self: unknown;
}

/** Every CEL rule of `schema` on a field `object` sets (walking properties, items and additionalProperties). */
export function celRules(schema: Schema, object: unknown, path = ""): CelCheck[] {
    if (object === undefined || schema === undefined) return [];
    const here: CelCheck[] = (schema["x-kubernetes-validations"] ?? []).map((v: Schema) => ({
        rule: v.rule,
        message: v.message,
        path: path || "/",
        self: object,
    }));
    if (Array.isArray(object)) return [...here, ...object.flatMap((x, i) => celRules(schema.items, x, `${path}[${i}]`))];
    if (object !== null && typeof object === "object") {
        const child = (k: string) =>
            schema.properties?.[k] ?? (typeof schema.additionalProperties === "object" ? schema.additionalProperties : undefined);
        return [...here, ...Object.entries(object).flatMap(([k, x]) => celRules(child(k), x, `${path}.${k}`))];
    }
    return here;
}
