import { test } from "vitest";
import * as E from "../../engine/index.js";
test("probe", () => {
  for (let x = 2 ** 24 + 1; ; x += 8192) {
    if (E.isPrime(x)) {
      const bits = Math.log2(x + 0.5);
      console.log(x, bits, 2 ** bits, E.generateNttPrimes({ logN: 12, bits, count: 4 }));
      break;
    }
  }
  for (let x = 2 ** 29 + 1; ; x += 2 ** 17) {
    if (E.isPrime(x)) {
      const bits = Math.log2(x + 0.5);
      console.log(x, bits, 2 ** bits, E.generateNttPrimes({ logN: 16, bits, count: 4 }));
      break;
    }
  }
});
