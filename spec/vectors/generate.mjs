// Regenerates the canonical-JSON and deployment-hash vectors from an independent implementation:
// ECMAScript's own JSON.stringify (which defines RFC 8785 number and string output) with keys sorted by
// UTF-16 code units, and Node's SHA-256. Run: node spec/vectors/generate.mjs (writes next to this file).
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";

const canon = (v) =>
  v === null || typeof v !== "object" ? JSON.stringify(v)
  : Array.isArray(v) ? "[" + v.map(canon).join(",") + "]"
  : "{" + Object.keys(v).sort().map((k) => JSON.stringify(k) + ":" + canon(v[k])).join(",") + "}";

const inputs = [
  ["empty object", "{}"],
  ["keys sorted, whitespace removed", '{ "b" : 1,\n "a" : [ true , false , null ] }'],
  ["nested objects sorted at every level", '{"z":{"y":1,"x":{"b":2,"a":1}},"a":[{"d":4,"c":3}]}'],
  ["integers", '{"port":8080,"neg":-42,"zero":0}'],
  ["1.0 is 1", '{"n":1.0}'],
  ["negative zero is 0", '{"n":-0}'],
  ["-0.0 is 0", '{"n":-0.0}'],
  ["1e21 uses an exponent", '{"n":1e21}'],
  ["1e20 does not", '{"n":1e20}'],
  ["small numbers", '{"a":0.000001,"b":1e-7,"c":1.5e-10}'],
  ["shortest round-trip digits", '{"a":0.1,"b":3.141592653589793,"c":123456789.125}'],
  ["large integers become doubles", '{"a":9007199254740993,"b":12345678901234567890}'],
  ["exponent forms", '{"a":1E3,"b":2.5e+2,"c":5e-324,"d":1.7976931348623157e308}'],
  ["strings keep non-ASCII literally", '{"s":"h\\u00e9llo \\u20ac \\ud83d\\ude00 日本"}'],
  ["escapes: only quote, backslash and controls", '{"s":"q\\" b\\\\ s\\/ t\\t n\\n r\\r f\\f b\\b u\\u0001 x\\u001f del\\u007f"}'],
  ["U+2028 stays literal", '{"s":"a\\u2028b"}'],
  ["keys sorted by UTF-16 code units, not code points", '{"\\ud83d\\ude00":1,"\\uffff":2,"a":3,"A":4,"é":5}'],
  ["empty string key and value", '{"":""}'],
  ["arrays keep their order", '{"tags":["b","a",["z","y"]]}'],
  ["booleans and null", '{"t":true,"f":false,"n":null}'],
];

const canonical = inputs.map(([name, input]) => ({ name, input, canonical: canon(JSON.parse(input)) }));
writeFileSync(new URL("./canonical-parameters.json", import.meta.url), JSON.stringify(canonical, null, 2) + "\n");

const shas = [
  "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
];
const hashInputs = [
  [shas[0], "{}"],
  [shas[0], '{"port":8080}'],
  [shas[0], '{ "port" : 8080.0 }'],
  [shas[0], '{"port":8081}'],
  [shas[1], '{"port":8080}'],
  [shas[1], '{"greeting":"Hallo, Welt — ☃","tags":["a","b"],"loud":false,"ratio":0.5}'],
];
const hashes = hashInputs.map(([packageSha, parameters]) => {
  const c = canon(JSON.parse(parameters));
  const hash = createHash("sha256").update(Buffer.from(`${packageSha}\n${c}`, "utf8")).digest("hex");
  return { package: packageSha, parameters, canonical: c, hash };
});
writeFileSync(new URL("./deployment-hash.json", import.meta.url), JSON.stringify(hashes, null, 2) + "\n");
