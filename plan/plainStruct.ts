/**
 * The plan's stand-in for protobuf Structs. Under mocks every registration still crosses the engine boundary as
 * protobuf: the runtime turns a resource's serialized inputs into a `google.protobuf.Struct`, the mock monitor turns
 * it back into JavaScript, and the same again for the outputs it answers, a tree of Value messages per property
 * each way (a sixth of a large plan's CPU). Nothing serializes those messages to bytes under mocks: each side only
 * calls `Struct.fromJavaScript` and `toJavaScript`. In plan mode (plan/engine.ts) `fromJavaScript` keeps the value
 * as JavaScript instead, with what the protobuf round trip does to it: the same types accepted (string, number,
 * boolean, null, array, object; anything else throws as Value.fromJavaScript does), object keys in the sorted order
 * of a protobuf map, a fresh copy for every reader. Anything that reads the message itself gets the real one.
 */
import * as path from "path";

// The module instance the Pulumi runtime uses (a dependency of @pulumi/pulumi, not of this project).
const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
type StructMessage = import("google-protobuf/google/protobuf/struct_pb").Struct;
const { Struct } = require(require.resolve("google-protobuf/google/protobuf/struct_pb", { paths: [pulumiDir] })) as {
    Struct: typeof import("google-protobuf/google/protobuf/struct_pb").Struct;
};

/** The JavaScript value a protobuf Value made from `value` gives back (google-protobuf 3.21, struct_pb.js). */
export function structValue(value: unknown): unknown {
    if (value === null) return null;
    switch (typeof value) {
        case "string":
        case "number":
        case "boolean":
            return value;
        case "object": {
            if (Array.isArray(value)) {
                const list = new Array(value.length);
                for (let i = 0; i < value.length; i++) list[i] = structValue(value[i]);
                return list;
            }
            return structObject(value as Record<string, unknown>);
        }
        default:
            throw new Error("Unexpected struct type.");
    }
}

/**
 * An object as a Struct gives it back: its enumerable keys (inherited ones too, as `for…in`), sorted. A key
 * "__proto__" is left out: the round trip's `Struct.prototype.toJavaScript` writes each field as `ret[key] = …` into
 * a plain `{}` (google-protobuf 3.21.4 google/protobuf/struct_pb.js), which for "__proto__" sets the prototype of the
 * object it gives back instead of adding a key, so no reader sees it as a field.
 */
function structObject(value: Record<string, unknown>): Record<string, unknown> {
    const keys: string[] = [];
    for (const key in value) if (key !== "__proto__") keys.push(key);
    keys.sort();
    const out: Record<string, unknown> = {};
    for (const key of keys) out[key] = structValue(value[key]);
    return out;
}

const realFromJavaScript = Struct.fromJavaScript;

/** A Struct that holds its fields as JavaScript; the protobuf message is built only if something asks for it. */
export class PlainStruct extends Struct {
    private real?: StructMessage;
    private constructor(private readonly plain: Record<string, unknown>) {
        super();
    }
    static of(value: Record<string, unknown>): PlainStruct {
        return new PlainStruct(structObject(value));
    }
    override toJavaScript(): { [key: string]: any } {
        return structObject(this.plain);
    }
    private message(): StructMessage {
        this.real ??= realFromJavaScript(this.plain as never);
        return this.real;
    }
    override getFieldsMap() {
        return this.message().getFieldsMap();
    }
    override serializeBinary(): Uint8Array {
        return this.message().serializeBinary();
    }
    override toObject() {
        return this.message().toObject();
    }
}

/** Makes every `Struct.fromJavaScript` of the process a PlainStruct until the returned function is called. */
export function usePlainStructs(): () => void {
    Struct.fromJavaScript = (value) => PlainStruct.of(value as Record<string, unknown>);
    return () => {
        Struct.fromJavaScript = realFromJavaScript;
    };
}
