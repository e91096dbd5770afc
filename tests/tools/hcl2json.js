// Prints HashiCorp's HCL parser's view of each file given, as one JSON object keyed by
// file name: @cdktf/hcl2json runs hashicorp/hcl (Go, compiled to WebAssembly).
// Used by tests/hcl.rs; `node tests/tools/hcl2json.js FILE...`.
"use strict";
const fs = require("fs");
const { parse } = require("@cdktf/hcl2json");

async function main() {
  const out = {};
  for (const file of process.argv.slice(2)) {
    out[file] = await parse(file, fs.readFileSync(file, "utf8"));
  }
  process.stdout.write(JSON.stringify(out));
}

main().catch((e) => {
  process.stderr.write(String(e && e.message ? e.message : e) + "\n");
  process.exit(1);
});
