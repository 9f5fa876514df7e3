/* Interactive computation graphs: step through forward and backward, change the inputs.
 *
 * A figure drawn from a layers.graph.Graph carries, beside its SVG, what the graph
 * recorded (<script type="application/json" class="bp-graph">, from Graph.export()).
 * This script recomputes that graph the way numpy and the layers do (same operation
 * order, same integer/float rules), formats numbers exactly as layers/display.py
 * does, and adds to each such <figure>: step buttons (also ←/→ while the figure has
 * focus), a number field per named input, and a status line read out to screen
 * readers. Without JavaScript the figure stays the static one drawn at build time.
 *
 * window.bpGraph exposes the engine (format, evaluate) for the browser tests.
 */
(function () {
  "use strict";

  /* ---------- numbers, exactly as layers/display.py writes them ---------- */

  // Python's format(x, ".{p-1}e") digits: correctly rounded, ties to even. JavaScript's
  // toExponential rounds ties away from zero, so an exact tie is detected and fixed.
  function sci(x, p) {
    var s = x.toExponential(p - 1);
    var full = Math.abs(x).toExponential(99).split("e");
    var d = full[0].replace(".", "");
    if (d.charAt(p) === "5" && /^0*$/.test(d.slice(p + 1)) && +d.charAt(p - 1) % 2 === 0) {
      s = (x < 0 ? "-" : "") + d.charAt(0) + (p > 1 ? "." + d.slice(1, p) : "") + "e" + full[1];
    }
    return s;
  }

  function formatFloat(x) {
    if (x !== x) return "nan";
    if (x === Infinity) return "inf";
    if (x === -Infinity) return "-inf";
    if (x === 0) return "0";
    var m = Math.abs(x);
    if (m >= 1e-4 && m < 1e15) {
      var r = Number(sci(x, 6));
      if (Number.isInteger(r)) return String(r);
      var decimals = Math.max(0, 5 - Math.floor(Math.log10(Math.abs(r))));
      var t = r.toFixed(decimals).replace(/0+$/, "").replace(/\.$/, "");
      return t === "-0" || t === "" ? "0" : t;
    }
    var parts = sci(x, 6).split("e");
    return parts[0].replace(/0+$/, "").replace(/\.$/, "") + "e" + parseInt(parts[1], 10);
  }

  function formatNumber(x, isInt) {
    return isInt ? String(x === 0 ? 0 : x) : formatFloat(x);
  }

  // A value as Python's format_value writes it: numbers, and arrays in nested brackets.
  function format(t) {
    if (!t.s.length) return formatNumber(t.d[0], t.i);
    var pos = 0;
    function level(axis) {
      var items = [];
      for (var k = 0; k < t.s[axis]; k++) {
        items.push(axis === t.s.length - 1 ? formatNumber(t.d[pos++], t.i) : level(axis + 1));
      }
      return "[" + items.join(", ") + "]";
    }
    return level(0);
  }

  function formatShape(s) {
    return s.length === 1 ? "(" + s[0] + ",)" : "(" + s.join(", ") + ")";
  }

  var SMALL_ARRAY = 6;  // layers.drawing.SMALL_ARRAY: larger arrays are named by their shape

  function short(t) {
    return t.s.length && t.d.length > SMALL_ARRAY ? "형상 " + formatShape(t.s) + "의 배열" : format(t);
  }

  /* ---------- arrays: {s: shape, d: flat values in C order, i: integer dtype} ---------- */

  function T(s, d, i) { return { s: s, d: d, i: !!i }; }
  function size(s) { var n = 1; for (var k = 0; k < s.length; k++) n *= s[k]; return n; }
  function sameShape(a, b) { return a.length === b.length && a.every(function (v, k) { return v === b[k]; }); }
  function map(t, f, isInt) { return T(t.s.slice(), t.d.map(f), isInt); }
  function decode(v) { return T(v.shape.slice(), v.values.slice(), v.dtype === "int"); }

  function fail(message) { var e = new Error(message); e.bp = true; throw e; }

  function broadcastShape(a, b) {
    var n = Math.max(a.length, b.length), out = [];
    for (var k = 0; k < n; k++) {
      var x = k - n + a.length < 0 ? 1 : a[k - n + a.length], y = k - n + b.length < 0 ? 1 : b[k - n + b.length];
      if (x !== y && x !== 1 && y !== 1) fail("형상 " + formatShape(a) + "와 " + formatShape(b) + "는 함께 계산할 수 없습니다.");
      out.push(x === 1 ? y : x);
    }
    return out;
  }

  // For each element of an array of shape `out`, the index of the element of `src` broadcast to it.
  function sourceIndex(src, out) {
    var n = size(out), r = [], off = out.length - src.length;
    for (var k = 0; k < n; k++) {
      var rem = k, j = 0, stride = 1;
      for (var ax = out.length - 1; ax >= 0; ax--) {
        var c = rem % out[ax];
        rem = (rem - c) / out[ax];
        if (ax >= off) {
          if (src[ax - off] !== 1) j += c * stride;
          stride *= src[ax - off];
        }
      }
      r.push(j);
    }
    return r;
  }

  function binary(a, b, f, isInt) {
    var s = broadcastShape(a.s, b.s), ia = sourceIndex(a.s, s), ib = sourceIndex(b.s, s);
    return T(s, ia.map(function (j, k) { return f(a.d[j], b.d[ib[k]]); }), isInt);
  }
  function mul(a, b) { return binary(a, b, function (x, y) { return x * y; }, a.i && b.i); }
  function add(a, b) { return binary(a, b, function (x, y) { return x + y; }, a.i && b.i); }

  // numpy's pairwise summation (used for a reduction along a contiguous axis).
  function pairwise(a, lo, n) {
    var i, res;
    if (n < 8) {
      res = 0;
      for (i = 0; i < n; i++) res += a[lo + i];
      return res;
    }
    if (n <= 128) {
      var r = a.slice(lo, lo + 8);
      for (i = 8; i < n - (n % 8); i += 8) for (var j = 0; j < 8; j++) r[j] += a[lo + i + j];
      res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
      for (; i < n; i++) res += a[lo + i];
      return res;
    }
    var n2 = Math.floor(n / 2);
    n2 -= n2 % 8;
    return pairwise(a, lo, n2) + pairwise(a, lo + n2, n - n2);
  }

  // t.sum(axis, keepdims): pairwise when the axis is contiguous, else row after row, as numpy.
  function sumAxis(t, axis, keep) {
    var n = t.s[axis], inner = size(t.s.slice(axis + 1)), outer = size(t.s.slice(0, axis)), d = [];
    for (var o = 0; o < outer; o++) {
      for (var j = 0; j < inner; j++) {
        var column = [];
        for (var k = 0; k < n; k++) column.push(t.d[(o * n + k) * inner + j]);
        if (inner === 1) d.push(pairwise(column, 0, n));
        else d.push(column.reduce(function (x, y) { return x + y; }));
      }
    }
    var s = t.s.slice();
    if (keep) s[axis] = 1; else s.splice(axis, 1);
    return T(s, d, t.i);
  }

  // layers.layers._unbroadcast: sum a gradient back down to the shape of its input.
  function unbroadcast(g, shape) {
    if (sameShape(g.s, shape)) return g;
    while (g.s.length > shape.length) g = sumAxis(g, 0, false);
    for (var ax = 0; ax < shape.length; ax++) if (shape[ax] === 1 && g.s[ax] !== 1) g = sumAxis(g, ax, true);
    return g;
  }

  /* ---------- matrix products, in the order numpy's BLAS adds them ---------- */

  // Exact a·b + c, rounded once (a fused multiply-add), with BigInt arithmetic.
  var view = new DataView(new ArrayBuffer(8));
  function parts(x) {
    view.setFloat64(0, x);
    var hi = view.getUint32(0), lo = view.getUint32(4), e = (hi >>> 20) & 0x7ff;
    var m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
    if (e) m |= 1n << 52n; else e = 1;
    return { m: hi >>> 31 ? -m : m, e: e - 1075 };
  }
  function toDouble(m, e) {
    if (m === 0n) return 0;
    var neg = m < 0n;
    if (neg) m = -m;
    var shift = Math.max(m.toString(2).length - 53, -1074 - e);
    if (shift > 0) {
      var q = m >> BigInt(shift), rem = m - (q << BigInt(shift)), half = 1n << BigInt(shift - 1);
      if (rem > half || (rem === half && (q & 1n))) q += 1n;
      m = q;
      e += shift;
    }
    var v = Number(m) * Math.pow(2, Math.max(e, -1022)) * Math.pow(2, Math.min(e + 1022, 0));
    return neg ? -v : v;
  }
  function fma(a, b, c) {
    if (!isFinite(a) || !isFinite(b) || !isFinite(c) || a === 0 || b === 0) return a * b + c;
    var A = parts(a), B = parts(b), P = A.m * B.m, pe = A.e + B.e;
    if (c === 0) return toDouble(P, pe);
    var C = parts(c), e = Math.min(pe, C.e);
    return toDouble((P << BigInt(pe - e)) + (C.m << BigInt(C.e - e)), e);
  }

  // (n, k) · (k, m), with b given as (m, k) when bT. Integers are summed in order (exact);
  // floats as numpy's OpenBLAS does on x86-64: one-row products without fused
  // multiply-adds (a transposed right side: fused, starting from the second term),
  // products of two or more rows as a chain of fused multiply-adds.
  function matmul(a, b, n, k, m, bT, isInt) {
    var d = [];
    for (var r = 0; r < n; r++) {
      for (var c = 0; c < m; c++) {
        var x = function (j) { return a[r * k + j]; };
        var y = function (j) { return bT ? b[c * k + j] : b[j * m + c]; };
        var order = [], j, t;
        for (j = 0; j < k; j++) order.push(j);
        if (!isInt && n === 1 && bT && k > 1 && k < 4) order = [1, 0].concat(order.slice(2));
        t = x(order[0]) * y(order[0]);
        for (j = 1; j < k; j++) {
          var o = order[j];
          t = isInt || (n === 1 && !bT) || k > 3 && n === 1 ? t + x(o) * y(o) : fma(x(o), y(o), t);
        }
        d.push(t);
      }
    }
    return d;
  }

  function rows(t) { return t.s.length === 1 ? [1, t.s[0]] : t.s; }

  /* ---------- the layers: forward returns {out, st}; backward returns one gradient per argument ---------- */

  function checkInt(t) {
    if (t.i && t.d.some(function (v) { return Math.abs(v) > Number.MAX_SAFE_INTEGER; })) {
      fail("정수가 너무 커서 정확히 계산할 수 없습니다.");
    }
    return t;
  }

  function softmaxRows(x2) {
    var n = x2.s[0], c = x2.s[1], y = [];
    for (var r = 0; r < n; r++) {
      var row = x2.d.slice(r * c, r * c + c), max = Math.max.apply(null, row);
      var e = row.map(function (v) { return Math.exp(v - max); }), s = pairwise(e, 0, c);
      e.forEach(function (v) { y.push(v / s); });
    }
    return T([n, c], y, false);
  }

  var OPS = {
    mul: {
      f: function (a) { return { out: checkInt(mul(a[0], a[1])), st: a }; },
      b: function (st, u) { return [unbroadcast(mul(u, st[1]), st[0].s), unbroadcast(mul(u, st[0]), st[1].s)]; },
      local: function (st, arg) { return st[1 - arg]; }
    },
    add: {
      f: function (a) { return { out: checkInt(add(a[0], a[1])), st: a }; },
      b: function (st, u) { return [unbroadcast(u, st[0].s), unbroadcast(u, st[1].s)]; },
      local: function () { return T([], [1], true); }
    },
    negate: {
      f: function (a) { return { out: map(a[0], function (v) { return -v; }, a[0].i), st: a }; },
      b: function (st, u) { return [map(u, function (v) { return -v; }, u.i)]; },
      local: function () { return T([], [-1], true); }
    },
    exp: {
      f: function (a) {
        var out = map(a[0], Math.exp, false);
        if (!out.d.every(isFinite)) fail("exp의 결과가 너무 커서(무한대) 계산할 수 없습니다.");
        return { out: out, st: [out] };
      },
      b: function (st, u) { return [mul(u, st[0])]; },
      local: function (st) { return st[0]; }
    },
    add_const: {
      f: function (a, p) { return { out: checkInt(add(a[0], p.c)), st: a }; },
      b: function (st, u) { return [u]; },
      local: function () { return T([], [1], true); }
    },
    reciprocal: {
      f: function (a) {
        if (a[0].d.some(function (v) { return v === 0; })) fail("0의 역수는 정의되지 않습니다.");
        var out = map(a[0], function (v) { return 1 / v; }, false);
        return { out: out, st: [out] };
      },
      b: function (st, u) {
        return [mul(map(u, function (v) { return -v; }, u.i), map(st[0], function (v) { return v * v; }, false))];
      },
      local: function (st) { return map(st[0], function (v) { return -(v * v); }, false); }
    },
    square: {
      f: function (a) { return { out: checkInt(map(a[0], function (v) { return v * v; }, a[0].i)), st: a }; },
      b: function (st, u) { return [mul(map(u, function (v) { return v * 2; }, u.i), st[0])]; },
      local: function (st) { return map(st[0], function (v) { return 2 * v; }, st[0].i); }
    },
    relu: {
      f: function (a) { return { out: map(a[0], function (v) { return v <= 0 ? 0 : v; }, a[0].i), st: a }; },
      b: function (st, u) { return [binary(st[0], u, function (x, g) { return x <= 0 ? 0 : g; }, u.i)]; },
      local: function (st) { return map(st[0], function (v) { return v <= 0 ? 0 : 1; }, true); }
    },
    sigmoid: {
      f: function (a) {
        var out = map(a[0], function (v) { return 1 / (1 + Math.exp(-v)); }, false);
        return { out: out, st: [out] };
      },
      b: function (st, u) { return [mul(mul(u, map(st[0], function (v) { return 1.0 - v; }, false)), st[0])]; },
      local: function (st) { return map(st[0], function (v) { return (1.0 - v) * v; }, false); }
    },
    dot: {
      f: function (a) {
        var x = a[0], W = a[1];
        if (x.s.length < 1 || x.s.length > 2 || W.s.length !== 2 || x.s[x.s.length - 1] !== W.s[0]) {
          fail("dot: 형상 " + formatShape(x.s) + "와 " + formatShape(W.s) + "는 곱할 수 없습니다.");
        }
        var n = rows(x)[0], isInt = x.i && W.i;
        var d = matmul(x.d, W.d, n, W.s[0], W.s[1], false, isInt);
        return { out: checkInt(T(x.s.length === 1 ? [W.s[1]] : [n, W.s[1]], d, isInt)), st: a };
      },
      b: function (st, u) {
        var x = st[0], W = st[1], D = W.s[0], M = W.s[1], n = rows(x)[0];
        var dx = T(x.s.slice(), matmul(u.d, W.d, n, M, D, true, u.i && W.i), u.i && W.i);
        // dW = atleast_2d(x).T · atleast_2d(dout): the transpose of x, copied, as the left side.
        var xT = [];
        for (var j = 0; j < D; j++) for (var r = 0; r < n; r++) xT.push(x.d[r * D + j]);
        var dW = T([D, M], matmul(xT, u.d, D, n, M, false, x.i && u.i), x.i && u.i);
        return [dx, dW];
      }
    },
    affine: {
      f: function (a, p) {
        var x = a[0], W = p.W, D = W.s[0], M = W.s[1], n = x.s.length === 1 ? 1 : x.s[0];
        if (x.d.length / n !== D) fail("Affine: 입력의 형상 " + formatShape(x.s) + "가 W의 형상 " + formatShape(W.s) + "와 맞지 않습니다.");
        var isInt = x.i && W.i;
        var out = add(T([n, M], matmul(x.d, W.d, n, D, M, false, isInt), isInt), p.b);
        if (x.s.length === 1) out = T([M], out.d, out.i);
        return { out: checkInt(out), st: a };
      },
      b: function (st, u, p) {
        var W = p.W, D = W.s[0], M = W.s[1], n = u.d.length / M;
        return [T(st[0].s.slice(), matmul(u.d, W.d, n, M, D, true, u.i && W.i), u.i && W.i)];
      }
    },
    softmax_with_loss: {
      f: function (a) {
        var x = a[0], t = a[1], single = x.s.length === 1, c = x.s[x.s.length - 1];
        var x2 = T(single ? [1, c] : x.s.slice(), x.d, false), n = x2.s[0], labels = [];
        if (t.d.length === x.d.length) {  // one-hot
          for (var r = 0; r < n; r++) {
            var row = t.d.slice(r * c, r * c + c);
            labels.push(row.indexOf(Math.max.apply(null, row)));
          }
        } else labels = t.d.slice();
        var y = softmaxRows(x2);
        var logs = labels.map(function (l, r) { return Math.log(y.d[r * c + l] + 1e-7); });
        var loss = -pairwise(logs, 0, n) / n;
        return { out: T([], [loss], false), st: [y, labels, single, x2, t] };
      },
      b: function (st, u) {
        var y = st[0], labels = st[1], c = y.s[1], n = y.s[0], d = y.d.slice();
        labels.forEach(function (l, r) { d[r * c + l] -= 1; });
        var dx = mul(T(y.s.slice(), d, false), u);
        dx = map(dx, function (v) { return v / n; }, false);
        return [st[2] ? T([c], dx.d, false) : dx];
      }
    }
  };

  /* ---------- the whole graph ---------- */

  function structure(data) {
    var ins = data.nodes.map(function () { return []; }), outs = data.nodes.map(function () { return []; });
    data.edges.forEach(function (e, k) { ins[e.dst][e.arg] = k; outs[e.src].push(k); });
    return { ins: ins, outs: outs };
  }

  function params(node) {
    var p = {};
    Object.keys(node.params || {}).forEach(function (k) { p[k] = decode(node.params[k]); });
    return p;
  }

  function finite(t, what) {
    if (!t.d.every(isFinite)) fail(what + "에 무한대나 NaN이 생겨 계산할 수 없습니다.");
    return t;
  }

  // Forward in recording order, then backward (in reverse) on the ops that ran it at build
  // time, each receiving its seed or the sum of what its consumers handed back.
  // inputs: {node index: array} replacing build-time values.
  function evaluate(data, inputs) {
    var nodes = data.nodes, edges = data.edges, g = structure(data);
    var val = [], st = [], dout = [], grads = [], ps = nodes.map(params);
    nodes.forEach(function (n, i) {
      if (n.kind === "input") val[i] = inputs && inputs[i] ? inputs[i] : decode(n.value);
      else if (n.kind === "const") val[i] = decode(n.value);
      else if (n.kind === "op") {
        var r = OPS[n.op].f(g.ins[i].map(function (k) { return val[edges[k].src]; }), ps[i]);
        val[i] = finite(r.out, n.label + " 노드의 출력");
        st[i] = r.st;
      }
    });
    var seeds = {}, back = {};
    data.seeds.forEach(function (s) { seeds[s.node] = decode(s.value); back[s.node] = true; });
    edges.forEach(function (e) { if (e.grad && nodes[e.dst].kind === "op") back[e.dst] = true; });
    for (var i = nodes.length - 1; i >= 0; i--) {
      if (!back[i]) continue;
      var u = seeds[i];
      if (!u) {
        g.outs[i].forEach(function (k) {
          var e = edges[k];
          if (grads[e.dst]) u = u ? add(u, grads[e.dst][e.arg]) : grads[e.dst][e.arg];
        });
      }
      if (!u.s.length && val[i].s.length) u = T(val[i].s.slice(), val[i].d.map(function () { return u.d[0]; }), false);
      dout[i] = u;
      grads[i] = OPS[nodes[i].op].b(st[i], u, ps[i]).map(function (t) { return finite(checkInt(t), nodes[i].label + " 노드의 기울기"); });
    }
    return {
      values: val, dout: dout, state: st,
      edges: edges.map(function (e) {
        var grad = !e.grad ? null : nodes[e.dst].kind === "output" ? dout[e.src] : grads[e.dst] && grads[e.dst][e.arg];
        return { value: val[e.src], grad: grad || null };
      })
    };
  }

  /* ---------- what each step says ---------- */

  // layers.drawing's names: an operation node as the text calls it ("exp 노드", or "두 번째
  // 곱셈 노드" when several share a symbol), and what an edge carries.
  var ORDINALS = ["첫", "두", "세", "네", "다섯", "여섯", "일곱", "여덟", "아홉", "열"];
  var WORDS = { "×": "곱셈", "+": "덧셈" };

  function nodeNames(data) {
    var ops = [], names = {};
    data.nodes.forEach(function (n, i) { if (n.kind === "op") ops.push(i); });
    ops.forEach(function (i) {
      var label = data.nodes[i].label, word = WORDS[label] || label;
      var same = ops.filter(function (j) { return data.nodes[j].label === label; }), k = same.indexOf(i);
      names[i] = same.length === 1 ? word + " 노드"
        : (k < ORDINALS.length ? ORDINALS[k] : String(k + 1)) + " 번째 " + word + " 노드";
    });
    return names;
  }

  function edgeName(data, k, names, output) {
    var e = data.edges[k], src = data.nodes[e.src];
    if (src.kind === "input") return src.label;
    if (e.symbol) return e.symbol;
    return src.kind === "op" ? names[e.src] + (output ? "의 출력" : "") : "상수";
  }

  function operand(data, k, res, names) {
    return edgeName(data, k, names, true) + " " + short(res.edges[k].value);
  }

  function gradient(data, k, res) {
    var symbol = data.edges[k].grad_symbol, v = short(res.edges[k].grad);
    return symbol ? symbol + " = " + v : v;
  }

  // layers.drawing._formula: the node's operation written out with its operands.
  function formula(label, args) {
    if ((label === "×" || label === "+") && args.length === 2) return args[0] + " " + label + " " + args[1];
    if (label === "/" && args.length === 1) return "1 / (" + args[0] + ")";
    if (label === "**2" && args.length === 1) return "(" + args[0] + ")²";
    if (label === "×(−1)" && args.length === 1) return "−(" + args[0] + ")";
    if ((label.charAt(0) === "+" || label.charAt(0) === "−") && args.length === 1) {
      return args[0] + " " + label.charAt(0) + " " + label.slice(1);
    }
    return label + "(" + args.join(", ") + ")";
  }

  function steps(data) {
    var g = structure(data), list = [], backward = [];
    data.nodes.forEach(function (n, i) {
      if (n.kind === "op") list.push({ dir: "fwd", node: i, edges: g.ins[i].concat(g.outs[i]) });
    });
    data.seeds.forEach(function (s) {
      backward.push({ dir: "seed", node: s.node, edges: g.outs[s.node] });
    });
    for (var i = data.nodes.length - 1; i >= 0; i--) {
      if (data.nodes[i].kind !== "op") continue;
      g.ins[i].forEach(function (k) {
        if (data.edges[k].grad) backward.push({ dir: "bwd", node: i, edge: k, edges: [k].concat(g.outs[i]) });
      });
    }
    return backward.length > data.seeds.length ? list.concat(backward) : list;
  }

  function say(data, step, res) {
    var node = data.nodes[step.node], g = structure(data), names = nodeNames(data);
    if (step.dir === "fwd") {
      var args = g.ins[step.node].map(function (k) { return operand(data, k, res, names); });
      return "순전파, " + node.label + " 노드: " + formula(node.label, args) + " = " + short(res.values[step.node]) + ".";
    }
    var u = short(res.dout[step.node]);
    if (step.dir === "seed") {
      var outs = step.edges.map(function (k) { return data.nodes[data.edges[k].dst].label; }).join(", ");
      return "역전파 시작: " + (outs ? outs + " 쪽의 " : "") + "기울기 " + u + "에서 출발합니다.";
    }
    var e = data.edges[step.edge], grad = short(res.edges[step.edge].grad), head = node.label + " 노드: ";
    var st = res.state[step.node], op = OPS[node.op], text;
    if (op.local) {
      text = "상류 " + u + " × 국소적 미분 " + short(op.local(st, e.arg)) + " = " + grad;
    } else if (node.op === "dot") {
      text = e.arg === 0 ? "상류 " + u + " · " + name(1) + "ᵀ = " + grad : name(0) + "ᵀ · 상류 " + u + " = " + grad;
    } else if (node.op === "affine") {
      text = "상류 " + u + " · Wᵀ = " + grad;
    } else {
      var y = short(st[2] ? T([st[0].s[1]], st[0].d, false) : st[0]);
      text = "(y " + y + " − t " + short(st[4]) + ") × 상류 " + u +
        (st[0].s[0] > 1 ? " ÷ 배치 크기 " + st[0].s[0] : "") + " = " + grad;
    }
    return "역전파, " + head + text + " → " + edgeName(data, step.edge, names, false) + ".";

    function name(arg) {
      var k = g.ins[step.node][arg], src = data.nodes[data.edges[k].src];
      return src.kind === "input" ? src.label : data.edges[k].symbol || short(res.edges[k].value);
    }
  }

  // layers.drawing.describe, for the values now on the figure.
  function describe(data, res) {
    var nodes = data.nodes, g = structure(data), names = nodeNames(data), parts = ["계산 그래프."];
    var inputs = nodes.map(function (n, i) { return n.kind === "input" ? n.label + " " + short(res.values[i]) : null; })
      .filter(Boolean);
    if (inputs.length) parts.push("입력: " + inputs.join(", ") + ".");
    var fwd = [];
    nodes.forEach(function (n, i) {
      if (n.kind !== "op") return;
      var args = g.ins[i].map(function (k) { return operand(data, k, res, names); });
      fwd.push(formula(n.label, args) + " = " + short(res.values[i]));
    });
    if (fwd.length) parts.push("순전파: " + fwd.join("; ") + ".");
    var outs = [], seeds = [], flows = [];
    data.edges.forEach(function (e, k) {
      var dst = nodes[e.dst], grad = res.edges[k].grad;
      if (dst.kind === "output") {
        outs.push(dst.label + " " + short(res.edges[k].value));
        if (grad) seeds.push(dst.label + "의 기울기 " + gradient(data, k, res) + "에서 시작해");
      } else if (grad) flows.push(edgeName(data, k, names, true) + " 쪽으로 " + gradient(data, k, res));
    });
    if (outs.length) parts.push("출력: " + outs.join(", ") + ".");
    if (flows.length || seeds.length) parts.push("역전파: " + (seeds.length ? seeds.join(" ") + " " : "") + flows.join(", ") + ".");
    var sums = branchSums(data, res);
    if (sums.length) {
      parts.push("갈라진 값의 기울기 합: " + sums.map(function (b) { return nodes[b.node].label + " " + short(b.value); })
        .join(", ") + ".");
    }
    return parts.join(" ");
  }

  // layers.drawing.branch_sums: an input used by several nodes, and the sum of its
  // branches' gradients, added in edge order.
  function branchSums(data, res) {
    var g = structure(data), list = [];
    data.nodes.forEach(function (n, i) {
      var ks = g.outs[i];
      if (n.kind !== "input" || ks.length < 2 || !ks.every(function (k) { return res.edges[k].grad; })) return;
      var total = res.edges[ks[0]].grad;
      for (var j = 1; j < ks.length; j++) total = add(total, res.edges[ks[j]].grad);
      list.push({ node: i, value: total });
    });
    return list;
  }

  /* ---------- the figure ---------- */

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) node.textContent = text;
    return node;
  }

  // layers.drawing._value_lines: a value as printed on an edge, a matrix one row per line.
  function valueLines(t) {
    if (!t.s.length) return [format(t)];
    if (t.d.length > SMALL_ARRAY) return [];
    if (t.s.length === 2 && t.s[0] > 1) {
      var c = t.s[1], rows = [];
      for (var r = 0; r < t.s[0]; r++) rows.push(format(T([c], t.d.slice(r * c, r * c + c), t.i)));
      return rows.map(function (row, k) { return (k ? "\u00a0" : "[") + row + (k === rows.length - 1 ? "]" : ","); });
    }
    return [format(t)];
  }

  // The <text> lines of a value on the figure (the drawing's e{k}-value / e{k}-grad group),
  // if they read exactly `lines`.
  function findLines(group, lines) {
    var texts = group ? Array.prototype.slice.call(group.querySelectorAll("text")) : [];
    var same = texts.length === lines.length && texts.every(function (t, j) { return t.textContent === lines[j]; });
    return same ? texts : null;
  }

  function Figure(figure, data) {
    this.figure = figure;
    this.data = data;
    this.svg = figure.querySelector("svg");
    this.prefix = (figure.querySelector("script.bp-graph").getAttribute("data-prefix")) || "";
    this.steps = steps(data);
    this.step = 0;
    this.inputs = {};
    this.base = evaluate(data, null);
    this.res = this.base;
    this.texts = [];
    var self = this;
    // Every value the page may change must be found on the figure, reading what the
    // engine computed from the build-time inputs; otherwise the figure stays static.
    var ok = data.edges.every(function (e, k) {
      var r = self.base.edges[k], slot = {}, value = valueLines(r.value), grad = r.grad ? valueLines(r.grad) : [];
      if (value.length) slot.value = findLines(self.part("e" + k + "-value"), value);
      if (grad.length) slot.grad = findLines(self.part("e" + k + "-grad"), grad);
      self.texts.push(slot);
      return (!value.length || slot.value) && (!grad.length || slot.grad);
    });
    this.sums = {};
    branchSums(data, this.base).forEach(function (b) {
      var lines = valueLines(b.value);
      if (!lines.length) return;
      self.sums[b.node] = findLines(self.part("n" + b.node + "-grad"), lines);
      ok = ok && !!self.sums[b.node];
    });
    if (!ok) {
      if (window.console) console.warn("bp: figure " + figure.id + " does not show the values its graph computes; left static");
      return;
    }
    this.alt = this.svg.getAttribute("aria-label");
    this.build();
  }

  Figure.prototype.part = function (id) {
    return this.svg.querySelector("[id='" + this.prefix + id + "']");
  };

  Figure.prototype.build = function () {
    var self = this, data = this.data, fig = this.figure;
    var controls = el("div", { "class": "bp-controls" });
    if (this.steps.length) {
      var bar = el("div", { "class": "bp-stepper", role: "group", "aria-label": "계산 단계" });
      this.buttons = {};
      [["first", "처음으로"], ["prev", "이전"], ["next", "다음"]].forEach(function (b) {
        var button = el("button", { type: "button", "class": "bp-button", "data-bp": b[0] }, b[1]);
        button.addEventListener("click", function () { self.go(b[0]); });
        self.buttons[b[0]] = button;
        bar.appendChild(button);
      });
      this.count = el("span", { "class": "bp-count" });
      bar.appendChild(this.count);
      controls.appendChild(bar);
    }
    var fields = el("div", { "class": "bp-inputs", role: "group", "aria-label": "입력값" });
    this.fields = [];
    data.nodes.forEach(function (n, i) {
      if (n.kind !== "input" || !n.editable) return;
      var v = n.value, box = el(v.shape.length ? "fieldset" : "div", { "class": "bp-input" });
      if (v.shape.length) {
        box.appendChild(el("legend", {}, n.label + " " + formatShape(v.shape)));
        box.style.setProperty("--bp-columns", String(v.shape[v.shape.length - 1]));
      }
      v.values.forEach(function (x, j) {
        var label = n.label + (v.shape.length ? index(v.shape, j) : "");
        // No inputmode="decimal": iOS then shows a keypad with no minus sign, and inputs
        // such as ReLU's x are negative. A plain number field gets a keyboard with both.
        var input = el("input", { type: "number", step: "any",
          value: formatNumber(x, v.dtype === "int"), "data-node": i, "data-index": j });
        var wrap = el("label", { "class": "bp-field" });
        wrap.appendChild(el("span", { "class": v.shape.length ? "bp-index" : "bp-name" }, v.shape.length ? index(v.shape, j) : label));
        if (v.shape.length) input.setAttribute("aria-label", label);
        wrap.appendChild(input);
        box.appendChild(wrap);
        input.bpText = input.value;
        input.bpExact = x;
        input.addEventListener("change", function () { self.changed(input); });
        self.fields.push(input);
      });
      fields.appendChild(box);
    });
    if (this.fields.length) {
      var reset = el("button", { type: "button", "class": "bp-button bp-reset" }, "입력 되돌리기");
      reset.addEventListener("click", function () { self.resetInputs(); });
      fields.appendChild(reset);
      controls.appendChild(fields);
    }
    this.status = el("p", { "class": "bp-status", "aria-live": "polite" });
    controls.appendChild(this.status);
    // How to use it, said once: the figure's and the buttons' accessible description, and
    // on screen only while the figure has focus and nothing has been done yet (CSS).
    if (this.steps.length) {
      var hintId = (fig.id || "bp") + "-bp-hint";
      this.hint = el("p", { "class": "bp-hint", id: hintId },
        "'다음' 버튼이나 → 키로 한 단계씩 봅니다." + (this.fields.length ? " 입력값을 바꾸면 다시 계산합니다." : ""));
      controls.appendChild(this.hint);
      fig.setAttribute("aria-describedby", ((fig.getAttribute("aria-describedby") || "") + " " + hintId).trim());
      bar.setAttribute("aria-describedby", hintId);
    }
    var caption = fig.querySelector("figcaption");
    fig.insertBefore(controls, caption);
    if (caption) {
      this.note = el("span", { "class": "bp-caption-note", hidden: "" }, " (캡션의 값은 기본 입력일 때의 값입니다.)");
      caption.appendChild(this.note);
    }
    if (!fig.hasAttribute("tabindex")) fig.setAttribute("tabindex", "0");
    fig.classList.add("bp-interactive");
    fig.addEventListener("keydown", function (ev) {
      // Only on the figure itself and its buttons: arrows in a field move the caret, and
      // on the drawing's scroll box (a wide figure on a phone) they scroll it.
      if ((ev.target !== fig && !controls.contains(ev.target)) || ev.target.tagName === "INPUT" ||
          ev.altKey || ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
      var key = { ArrowRight: "next", ArrowLeft: "prev", Home: "first" }[ev.key];
      if (key && self.steps.length) { ev.preventDefault(); self.go(key); }
    });
    this.status.textContent = "";
    this.show();
  };

  function index(shape, j) {
    var idx = [];
    for (var ax = shape.length - 1; ax >= 0; ax--) { idx.unshift(j % shape[ax]); j = Math.floor(j / shape[ax]); }
    return "[" + idx.join(", ") + "]";
  }

  Figure.prototype.countForward = function () {
    return this.steps.filter(function (s) { return s.dir === "fwd"; }).length;
  };

  Figure.prototype.go = function (where) {
    var last = this.steps.length;
    var next = where === "first" ? 0 : where === "prev" ? Math.max(0, this.step - 1) : Math.min(last, this.step + 1);
    if (next === this.step) {
      this.status.textContent = next === last ? "마지막 단계입니다. '처음으로'를 누르면 처음부터 다시 봅니다."
        : "아직 첫 단계 전입니다. '다음'을 누르면 시작합니다.";
      return;
    }
    this.step = next;
    this.show();
    this.status.textContent = next === 0 ? "처음 상태로 돌아왔습니다." : this.describeStep();
  };

  Figure.prototype.describeStep = function () {
    return say(this.data, this.steps[this.step - 1], this.res);
  };

  Figure.prototype.show = function () {
    var self = this, on = {};
    if (this.step > 0) {
      var s = this.steps[this.step - 1];
      on["n" + s.node] = true;
      s.edges.forEach(function (k) {
        var e = self.data.edges[k];
        on["e" + k] = on["e" + k + "-in"] = on["e" + k + "-out"] = on["e" + k + "-back"] = true;
        [e.src, e.dst].forEach(function (i) { if (self.data.nodes[i].kind !== "op") on["n" + i] = true; });
      });
      this.svg.setAttribute("data-bp-dir", s.dir === "fwd" ? "forward" : "backward");
    }
    this.svg.classList.toggle("bp-stepping", this.step > 0);
    var all = this.svg.querySelectorAll("[id^='" + this.prefix + "']");
    for (var k = 0; k < all.length; k++) {
      all[k].classList.toggle("bp-on", !!on[all[k].id.slice(this.prefix.length)]);
    }
    if (this.count) {
      this.count.textContent = this.step + " / " + this.steps.length + " 단계";
      this.buttons.first.setAttribute("aria-disabled", String(this.step === 0));
      this.buttons.prev.setAttribute("aria-disabled", String(this.step === 0));
      this.buttons.next.setAttribute("aria-disabled", String(this.step === this.steps.length));
    }
  };

  // The inputs as the fields say; a whole number keeps an integer input an integer.
  Figure.prototype.read = function () {
    var values = {}, bad = null;
    this.fields.forEach(function (f) {
      var i = +f.getAttribute("data-node"), j = +f.getAttribute("data-index");
      // A field still showing its build-time text stands for the exact build-time value
      // (the text has at most six significant digits).
      var x = f.value === f.bpText ? f.bpExact : f.value.trim() === "" ? NaN : Number(f.value);
      f.toggleAttribute("aria-invalid", !isFinite(x));
      if (!isFinite(x)) bad = bad || f;
      (values[i] = values[i] || [])[j] = x;
    });
    if (bad) return { bad: bad };
    var inputs = {}, data = this.data;
    Object.keys(values).forEach(function (i) {
      var v = data.nodes[i].value, xs = values[i];
      inputs[i] = T(v.shape.slice(), xs, v.dtype === "int" && xs.every(Number.isInteger));
    });
    return { inputs: inputs };
  };

  Figure.prototype.changed = function (field) {
    var read = this.read();
    if (read.bad) {
      this.status.textContent = "숫자를 입력하세요. 그림은 마지막으로 계산한 값을 그대로 보여 줍니다.";
      return;
    }
    var before = this.res, after;
    try {
      after = evaluate(this.data, read.inputs);
    } catch (err) {
      if (!err.bp) throw err;
      field.setAttribute("aria-invalid", "true");
      this.status.textContent = "이 입력으로는 계산할 수 없습니다: " + err.message + " 그림은 마지막으로 계산한 값을 그대로 보여 줍니다.";
      return;
    }
    this.res = after;
    this.render();
    this.status.textContent = this.sensitivity(field, before, after);
  };

  Figure.prototype.resetInputs = function () {
    var data = this.data;
    this.fields.forEach(function (f) {
      var v = data.nodes[+f.getAttribute("data-node")].value;
      f.value = formatNumber(v.values[+f.getAttribute("data-index")], v.dtype === "int");
      f.removeAttribute("aria-invalid");
    });
    this.res = this.base;
    this.render();
    this.status.textContent = "입력을 처음 값으로 되돌렸습니다.";
  };

  // Write the current values into the SVG, its text alternative and the caption note.
  Figure.prototype.render = function () {
    var self = this, res = this.res;
    this.texts.forEach(function (slot, k) {
      if (slot.value) self.write(slot.value, valueLines(res.edges[k].value), true);
      if (slot.grad) self.write(slot.grad, valueLines(res.edges[k].grad), false);
    });
    branchSums(this.data, res).forEach(function (b) {
      if (self.sums[b.node]) self.write(self.sums[b.node], valueLines(b.value), false);
    });
    var changed = res !== this.base && this.data.nodes.some(function (n, i) {
      return n.kind === "input" && format(res.values[i]) !== format(self.base.values[i]);
    });
    var alt = changed ? describe(this.data, res) : this.alt;
    this.svg.setAttribute("aria-label", alt);
    var title = this.svg.querySelector("title");
    if (title && (title.textContent === this.alt || title.textContent === this.shownAlt)) title.textContent = alt;
    this.shownAlt = alt;
    if (this.note) this.note.hidden = !changed;
    if (this.step > 0) this.show();
  };

  // Keep a longer or shorter number where the build-time one stood: centred on the edge
  // (left to right), or right-aligned beside it (a forward value, top to bottom). The
  // lines of a matrix and the gradients of a top-to-bottom graph stay flush left.
  Figure.prototype.write = function (texts, lines, forward) {
    var anchor = this.data.direction === "TB" ? (forward ? "end" : null) : "middle";
    texts.forEach(function (t, j) {
      if (texts.length === 1 && anchor && t.getAttribute("text-anchor") !== anchor) {
        try {
          var box = t.getBBox();
          if (box.width) {
            t.setAttribute("x", String(box.x + (anchor === "end" ? box.width : box.width / 2)));
            t.setAttribute("text-anchor", anchor);
          }
        } catch (err) { /* not rendered (display: none): keep its position */ }
      }
      t.textContent = lines[j];
    });
  };

  // "Δ × gradient" against the output's actual change, for the one field just changed.
  Figure.prototype.sensitivity = function (field, before, after) {
    var data = this.data, i = +field.getAttribute("data-node"), j = +field.getAttribute("data-index");
    var node = data.nodes[i], shape = node.value.shape;
    var name = node.label + (shape.length ? index(shape, j) : "");
    var old = before.values[i], now = after.values[i];
    var delta = now.d[j] - old.d[j], isInt = old.i && now.i;
    var text = name + ": " + formatNumber(old.d[j], old.i) + " → " + formatNumber(now.d[j], now.i) +
      " (Δ = " + formatNumber(delta, isInt) + "). ";
    var grad = null, gradInt = false;
    structure(data).outs[i].forEach(function (k) {
      var g = before.edges[k].grad;
      if (g) { grad = grad === null ? g.d[j] : grad + g.d[j]; gradInt = g.i; }
    });
    var outputs = [];
    data.seeds.forEach(function (s) {
      structure(data).outs[s.node].forEach(function (k) {
        if (data.nodes[data.edges[k].dst].kind === "output") outputs.push({ node: s.node, label: data.nodes[data.edges[k].dst].label });
      });
    });
    if (grad === null || !outputs.length || delta === 0) {
      return text + "모든 값을 다시 계산했습니다.";
    }
    var predicted = grad * delta, total = 0, parts = [];
    outputs.forEach(function (o) {
      var u = before.dout[o.node], a = before.values[o.node], b = after.values[o.node], actual = 0;
      a.d.forEach(function (x, m) { actual += u.d[u.d.length === 1 ? 0 : m] * (b.d[m] - x); });
      total += actual;
      var change = o.label + " " + short(a) + " → " + short(b) + ", ";
      if (a.s.length) parts.push(change + "Σ(상류 기울기 × 차이) = " + formatFloat(actual));
      else if (u.d[0] === 1) parts.push(change + "차이 " + formatFloat(actual));
      else parts.push(change + "상류 기울기 " + format(u) + " × 차이 " + formatFloat(b.d[0] - a.d[0]) + " = " + formatFloat(actual));
    });
    return text + "기울기로 예측한 변화: " + formatNumber(grad, gradInt) + " × " + formatNumber(delta, isInt) +
      " = " + formatNumber(predicted, gradInt && isInt) + ". 실제 변화: " + parts.join("; ") +
      (parts.length > 1 ? "; 합계 " + formatFloat(total) : "") + ".";
  };

  function init() {
    var scripts = document.querySelectorAll("figure.bp-figure > script.bp-graph");
    for (var k = 0; k < scripts.length; k++) {
      var figure = scripts[k].parentNode;
      if (figure.bpFigure) continue;
      try {
        figure.bpFigure = new Figure(figure, JSON.parse(scripts[k].textContent));
      } catch (err) {
        if (window.console) console.warn("bp: figure " + figure.id + " left static: " + err.message);
      }
    }
  }

  window.bpGraph = { format: format, formatFloat: formatFloat, evaluate: evaluate, fma: fma, T: T, say: say,
    steps: steps, describe: describe, init: init };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
