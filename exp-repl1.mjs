import { loadMicroPython } from "@micropython/micropython-webassembly-pyscript/micropython.mjs";
const out = [];
const mp = await loadMicroPython({ stdout: (b) => out.push(...(typeof b === "string" ? Buffer.from(b) : b)), linebuffer: false, heapsize: 1<<20 });
function feed(s) {
  const bytes = typeof s === "string" ? Buffer.from(s, "latin1") : s;
  const results = [];
  for (const c of bytes) results.push(mp.replProcessChar(c));
  const o = Buffer.from(out.splice(0)).toString("latin1");
  console.log(JSON.stringify(s), "->", JSON.stringify(o), "rets", results.filter(r=>r).join(","));
}
mp.replInit();
feed("");
feed("1+1\r");
feed("print('a')\r");
feed("\x03");
feed("\x04");
feed("\r\x01");
feed("print(1)\x04");
feed("import sys\nprint(sys.implementation)\x04");
feed("raise ValueError('x')\x04");
feed("\x04");
feed("\x05A\x01");
feed("print('pasted')\x04");
feed("\x05B\x01");
feed("\x02");
feed("\x04");
