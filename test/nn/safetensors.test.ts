// The safetensors reader and writer: a hand-built file, fast-check round trips for every dtype,
// rounding on write, and every malformed case answered by an FheError (never another error).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeBfloat16, decodeFloat16, encodeBfloat16, encodeFloat16 } from "../../nn/import/minifloat.js";
import { maxHeaderBytes, readSafetensors, writeSafetensors, type SafetensorsDtype, type TensorToWrite } from "../../nn/import/safetensors.js";
import { expectFheError } from "../helpers/ckks.js";

const readOp = "read safetensors";
const writeOp = "write safetensors";

/** A file from a header (object or raw JSON text) and data bytes, with no padding. */
function file(header: unknown, data: ArrayLike<number> = [], headerLength?: number): Uint8Array {
  const json = new TextEncoder().encode(typeof header === "string" ? header : JSON.stringify(header));
  const bytes = new Uint8Array(8 + json.length + data.length);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(headerLength ?? json.length), true);
  bytes.set(json, 8);
  bytes.set(Array.from(data), 8 + json.length);
  return bytes;
}

function float32Bytes(values: readonly number[]): number[] {
  return Array.from(new Uint8Array(new Float32Array(values).buffer));
}

const f32 = (shape: number[], begin: number, end: number) => ({ dtype: "F32", shape, data_offsets: [begin, end] });

describe("readSafetensors", () => {
  it("reads a hand-built file: F32 and F64 tensors, metadata, little-endian data", () => {
    const header = {
      __metadata__: { format: "pt" },
      w: f32([2, 2], 0, 16),
      b: { dtype: "F64", shape: [2], data_offsets: [16, 32] },
    };
    const data = [...float32Bytes([1, -2, 0.5, 3]), ...new Uint8Array(new Float64Array([0.1, -1e300]).buffer)];
    const read = readSafetensors(file(header, data));
    expect(read.metadata).toEqual({ format: "pt" });
    expect([...read.tensors.keys()]).toEqual(["w", "b"]);
    const w = read.tensors.get("w")!;
    expect(w.dtype).toBe("F32");
    expect(w.shape).toEqual([2, 2]);
    expect(w.data).toBeInstanceOf(Float32Array);
    expect([...w.data]).toEqual([1, -2, 0.5, 3]);
    const b = read.tensors.get("b")!;
    expect(b.data).toBeInstanceOf(Float64Array);
    expect([...b.data]).toEqual([0.1, -1e300]);
  });

  it("reads F16 and BF16 bit patterns into exact float32 values, scalars and empty tensors", () => {
    const header = {
      h: { dtype: "F16", shape: [3], data_offsets: [0, 6] },
      g: { dtype: "BF16", shape: [2], data_offsets: [6, 10] },
      s: f32([], 10, 14),
      e: f32([0, 5], 14, 14),
    };
    const data = [0x00, 0x3c, 0x01, 0x00, 0xff, 0x7b, 0x80, 0x3f, 0x49, 0xc0, ...float32Bytes([7])];
    const read = readSafetensors(file(header, data));
    expect([...read.tensors.get("h")!.data]).toEqual([1, 2 ** -24, 65504]);
    expect([...read.tensors.get("g")!.data]).toEqual([1, -3.140625]);
    expect(read.tensors.get("s")!.shape).toEqual([]);
    expect([...read.tensors.get("s")!.data]).toEqual([7]);
    expect(read.tensors.get("e")!.data.length).toBe(0);
    expect(read.metadata).toEqual({});
  });

  it("accepts an ArrayBuffer, a Node Buffer and a view at an odd offset, and a space-padded header", () => {
    const padded = file(`${JSON.stringify({ x: f32([1], 0, 4) })}      `, float32Bytes([2.5]));
    const shifted = new Uint8Array(padded.length + 3);
    shifted.set(padded, 3);
    for (const bytes of [padded.buffer as ArrayBuffer, Buffer.from(padded), shifted.subarray(3)]) {
      expect([...readSafetensors(bytes).tensors.get("x")!.data]).toEqual([2.5]);
    }
  });

  it("refuses what is not a buffer, and bad options", () => {
    for (const bad of ["abc", 12, null, undefined, [0, 0, 0, 0, 0, 0, 0, 0]]) expectFheError(() => readSafetensors(bad as never), "INVALID_ARGUMENT", readOp);
    const ok = file({ x: f32([1], 0, 4) }, float32Bytes([1]));
    expectFheError(() => readSafetensors(ok, { allowNonFinite: "yes" } as never), "INVALID_ARGUMENT", readOp);
    expectFheError(() => readSafetensors(ok, 3 as never), "INVALID_ARGUMENT", readOp);
  });

  it("refuses a file shorter than 8 bytes", () => {
    for (let n = 0; n < 8; n++) {
      expect(expectFheError(() => readSafetensors(new Uint8Array(n)), "CORRUPT_DATA", readOp).message).toContain("fewer than the 8-byte");
    }
  });

  it("refuses a header length beyond the file, and an absurd one before allocating", () => {
    const valid = file({ x: f32([1], 0, 4) }, float32Bytes([1]));
    const headerLength = valid.length - 12;
    for (const length of [headerLength + 5, valid.length]) {
      expect(expectFheError(() => readSafetensors(file({ x: f32([1], 0, 4) }, float32Bytes([1]), length)), "CORRUPT_DATA", readOp).message).toContain("beyond");
    }
    for (const length of [maxHeaderBytes + 1, 2 ** 40, 2 ** 63]) {
      expect(expectFheError(() => readSafetensors(file({}, [], length)), "CORRUPT_DATA", readOp).message).toContain("limit");
    }
  });

  it("refuses every truncation of a valid file", () => {
    const bytes = writeSafetensors({ a: { shape: [3], data: new Float32Array([1, 2, 3]) }, b: { dtype: "F16", shape: [1], data: [4] } });
    for (let n = 0; n < bytes.length; n++) expectFheError(() => readSafetensors(bytes.subarray(0, n)), "CORRUPT_DATA", readOp);
  });

  it("refuses a header that is not UTF-8, not JSON or not an object", () => {
    const notUtf8 = file('{"x":1}');
    notUtf8[10] = 0xff;
    expect(expectFheError(() => readSafetensors(notUtf8), "CORRUPT_DATA", readOp).message).toContain("UTF-8");
    for (const text of ["", "{", '{"x": }', "{'x': 1}", "{} junk"]) {
      expect(expectFheError(() => readSafetensors(file(text)), "CORRUPT_DATA", readOp).message).toContain("not valid JSON");
    }
    for (const text of ["[]", "null", "3", '"x"']) {
      expect(expectFheError(() => readSafetensors(file(text)), "CORRUPT_DATA", readOp).message).toContain("must be a JSON object");
    }
  });

  it("refuses a name given twice, even when JSON.parse would keep one silently", () => {
    const one = JSON.stringify(f32([1], 0, 4));
    for (const text of [
      `{"x":${one},"x":${one}}`,
      `{"x":${one},"\\u0078":${one}}`,
      `{"__metadata__":{"a":"1","a":"2"},"x":${one}}`,
      `{"x":{"dtype":"F32","dtype":"F32","shape":[1],"data_offsets":[0,4]}}`,
    ]) {
      expect(expectFheError(() => readSafetensors(file(text, float32Bytes([1]))), "CORRUPT_DATA", readOp).message).toContain("twice");
    }
    // Keys inside strings or arrays are not keys of the header.
    const tricky = `{"__metadata__":{"note":"\\"x\\": {\\"x\\": [\\"x\\"]}"},"x":${one}}`;
    expect(readSafetensors(file(tricky, float32Bytes([1]))).metadata.note).toBe('"x": {"x": ["x"]}');
  });

  it("refuses bad metadata and entries with missing, unknown or ill-typed fields", () => {
    const data = float32Bytes([1]);
    const cases: [unknown, string][] = [
      [{ __metadata__: { a: 1 }, x: f32([1], 0, 4) }, "object of strings"],
      [{ __metadata__: ["a"], x: f32([1], 0, 4) }, "object of strings"],
      [{ x: [1] }, "must be an object"],
      [{ x: { shape: [1], data_offsets: [0, 4] } }, "no dtype"],
      [{ x: { dtype: "F32", data_offsets: [0, 4] } }, "no shape"],
      [{ x: { dtype: "F32", shape: [1] } }, "no data_offsets"],
      [{ x: { ...f32([1], 0, 4), extra: 1 } }, "unknown field"],
      [{ x: { ...f32([1], 0, 4), dtype: 32 } }, "has dtype 32"],
      [{ x: f32([-1], 0, 4) }, "non-negative integers"],
      [{ x: f32([0.5], 0, 4) }, "non-negative integers"],
      [{ x: { ...f32([1], 0, 4), shape: 1 } }, "non-negative integers"],
      [{ x: { ...f32([1], 0, 4), data_offsets: [0] } }, "[begin, end]"],
      [{ x: { ...f32([1], 0, 4), data_offsets: [-4, 0] } }, "[begin, end]"],
      [{ x: { ...f32([1], 0, 4), data_offsets: [0, "4"] } }, "[begin, end]"],
    ];
    for (const [header, message] of cases) {
      expect(expectFheError(() => readSafetensors(file(header, data)), "CORRUPT_DATA", readOp).message).toContain(message);
    }
  });

  it("refuses dtypes other than F64, F32, F16 and BF16 as unsupported", () => {
    for (const dtype of ["I32", "U8", "BOOL", "F8_E4M3", "f32"]) {
      const error = expectFheError(() => readSafetensors(file({ x: { dtype, shape: [1], data_offsets: [0, 4] } }, [0, 0, 0, 0])), "INVALID_ARGUMENT", readOp);
      expect(error.message).toContain(`dtype ${dtype}: only F64, F32, F16, BF16`);
    }
  });

  it("refuses a shape whose size in bytes differs from end - begin", () => {
    const data = float32Bytes([1, 2]);
    for (const header of [{ x: f32([3], 0, 8) }, { x: f32([1], 0, 8) }, { x: { dtype: "F64", shape: [2], data_offsets: [0, 8] } }, { x: f32([2 ** 30, 2 ** 30, 2 ** 30], 0, 8) }]) {
      expect(expectFheError(() => readSafetensors(file(header, data)), "CORRUPT_DATA", readOp).message).toContain("hold 8 bytes");
    }
  });

  it("refuses offsets out of range, overlapping, leaving a gap or not covering the data", () => {
    const data = float32Bytes([1, 2, 3]);
    const cases: [unknown, string][] = [
      [{ x: f32([1], 12, 16) }, "outside the 12-byte data section"],
      [{ x: f32([], 8, 4) }, "outside"],
      [{ x: f32([2], 0, 8), y: f32([2], 4, 12) }, "overlap"],
      [{ x: f32([1], 0, 4), y: f32([1], 8, 12) }, "[4, 8) belong to no tensor"],
      [{ y: f32([1], 4, 8), z: f32([1], 8, 12) }, "[0, 4) belong to no tensor"],
      [{ x: f32([2], 0, 8) }, "cover only 8"],
      [{}, "cover only 0"],
    ];
    for (const [header, message] of cases) {
      expect(expectFheError(() => readSafetensors(file(header, data)), "CORRUPT_DATA", readOp).message).toContain(message);
    }
  });

  it("refuses NaN and infinite values unless allowNonFinite is set", () => {
    for (const [dtype, bits] of [["F32", float32Bytes([NaN])], ["F32", float32Bytes([-Infinity])], ["F16", [0x00, 0x7c, 0, 0]], ["BF16", [0xc0, 0x7f, 0, 0]]] as const) {
      const count = dtype === "F32" ? 1 : 2;
      const bytes = file({ x: { dtype, shape: [count], data_offsets: [0, 4] } }, bits);
      expect(expectFheError(() => readSafetensors(bytes), "INVALID_ARGUMENT", readOp).message).toContain("at index 0: pass { allowNonFinite: true }");
      const value = readSafetensors(bytes, { allowNonFinite: true }).tensors.get("x")!.data[0]!;
      expect(Number.isFinite(value)).toBe(false);
    }
  });

  it("answers random bytes and random edits of a valid file with FheError only (fast-check)", () => {
    const valid = writeSafetensors({ a: { shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) } }, { k: "v" });
    const edited = fc.tuple(fc.nat({ max: valid.length - 1 }), fc.integer({ min: 0, max: 255 })).map(([at, byte]) => {
      const copy = valid.slice();
      copy[at] = byte;
      return copy;
    });
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }), edited), (bytes) => {
      try {
        readSafetensors(bytes);
      } catch (error) {
        expect((error as Error).name).toBe("FheError");
      }
    }), { numRuns: 500 });
  });
});

const dtypes: SafetensorsDtype[] = ["F64", "F32", "F16", "BF16"];

/** Values exactly representable in `dtype`. */
function representable(dtype: SafetensorsDtype): fc.Arbitrary<number> {
  const finite = (decode: (bits: number) => number) => fc.integer({ min: 0, max: 0xffff }).map(decode).filter(Number.isFinite);
  switch (dtype) {
    case "F64": return fc.double({ noNaN: true, noDefaultInfinity: true });
    case "F32": return fc.float({ noNaN: true, noDefaultInfinity: true });
    case "F16": return finite(decodeFloat16);
    case "BF16": return finite(decodeBfloat16);
  }
}

const tensorArbitrary: fc.Arbitrary<TensorToWrite> = fc.constantFrom(...dtypes).chain((dtype) =>
  fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }).chain((shape) => {
    const size = shape.reduce((p, d) => p * d, 1);
    return fc.array(representable(dtype), { minLength: size, maxLength: size }).map((data) => ({ dtype, shape, data }));
  }));

describe("writeSafetensors", () => {
  it("round-trips any tensors and metadata exactly (fast-check)", () => {
    const names = fc.uniqueArray(fc.string({ maxLength: 8 }).filter((s) => s !== "__metadata__"), { maxLength: 5 });
    fc.assert(fc.property(names.chain((keys) => fc.tuple(fc.constant(keys), fc.array(tensorArbitrary, { minLength: keys.length, maxLength: keys.length }))),
      fc.option(fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 })), { nil: undefined }),
      ([keys, tensors], metadata) => {
        const map = new Map(keys.map((key, i) => [key, tensors[i]!]));
        const bytes = writeSafetensors(map, metadata);
        const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
        expect((8 + headerLength) % 8).toBe(0);
        const read = readSafetensors(bytes);
        expect(read.metadata).toEqual(metadata ?? {});
        expect(new Set(read.tensors.keys())).toEqual(new Set(keys));
        for (const [name, tensor] of map) {
          const got = read.tensors.get(name)!;
          expect(got.dtype).toBe(tensor.dtype);
          expect(got.shape).toEqual(tensor.shape);
          expect(got.data).toBeInstanceOf(tensor.dtype === "F64" ? Float64Array : Float32Array);
          expect([...got.data]).toEqual(Array.from(tensor.data));
        }
        // The file orders tensors by their data offsets, so the order written is kept for those
        // with data; empty tensors share an offset and come in the JSON header's key order, which
        // puts integer-like names first: only their presence is checked (above).
        const withData = (names: readonly string[]) => names.filter((name) => map.get(name)!.data.length > 0);
        expect(withData([...read.tensors.keys()])).toEqual(withData(keys));
      }));
  });

  it("rounds doubles to the dtype's nearest value, ties to even (fast-check)", () => {
    const rounded: Record<SafetensorsDtype, (x: number) => number> = {
      F64: (x) => x,
      F32: Math.fround,
      F16: (x) => decodeFloat16(encodeFloat16(x)),
      BF16: (x) => decodeBfloat16(encodeBfloat16(x)),
    };
    fc.assert(fc.property(fc.double({ min: -65000, max: 65000, noNaN: true }), (x) => {
      const read = readSafetensors(writeSafetensors(new Map(dtypes.map((dtype) => [dtype, { dtype, shape: [], data: [x] }]))));
      for (const dtype of dtypes) expect(read.tensors.get(dtype)!.data[0]).toBe(rounded[dtype](x));
    }));
  });

  it("defaults the dtype to F32 for a Float32Array and F64 otherwise", () => {
    const read = readSafetensors(writeSafetensors({ a: { shape: [1], data: new Float32Array([1]) }, b: { shape: [1], data: [1] } }));
    expect([read.tensors.get("a")!.dtype, read.tensors.get("b")!.dtype]).toEqual(["F32", "F64"]);
  });

  it("refuses bad tensors, names and metadata", () => {
    const cases: [unknown, unknown, string][] = [
      [null, undefined, "must be a Map or an object"],
      [[{ shape: [], data: [1] }], undefined, "must be a Map or an object"],
      [{ __metadata__: { shape: [], data: [1] } }, undefined, "reserved"],
      [new Map([[1, { shape: [], data: [1] }]]), undefined, "names must be strings"],
      [{ x: 3 }, undefined, "must be an object"],
      [{ x: { dtype: "I32", shape: [], data: [1] } }, undefined, "expected one of F64, F32, F16, BF16"],
      [{ x: { shape: [-1], data: [] } }, undefined, "non-negative integers"],
      [{ x: { shape: [2], data: [1] } }, undefined, "(2 values) but its data has 1 values"],
      [{ x: { shape: [1] } }, undefined, "but its data is undefined"],
      [{ x: { shape: [2], data: [1, NaN] } }, undefined, "holds NaN at index 1"],
      [{ x: { shape: [1], data: ["1"] } }, undefined, "holds \"1\" at index 0"],
      [{ x: { dtype: "F16", shape: [1], data: [70000] } }, undefined, "holds 70000 at index 0, which is not a finite F16 value"],
      [{ x: { dtype: "F32", shape: [1], data: [1e39] } }, undefined, "not a finite F32 value"],
      [{}, { a: 1 }, "metadata must be an object of strings"],
    ];
    for (const [tensors, metadata, message] of cases) {
      expect(expectFheError(() => writeSafetensors(tensors as never, metadata as never), "INVALID_ARGUMENT", writeOp).message).toContain(message);
    }
  });
});
