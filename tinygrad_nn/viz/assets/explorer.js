// The explorer: draws the graph that tinygrad_nn laid out and steps through forward, then
// backward, one node at a time. The data (nodes with positions, edges, Module groups, steps)
// is the JSON in <script id="explorer-data">; nothing is fetched. Python lays out each frame
// (the page, and each Module group with its sub-groups as collapsed boxes); this script only
// moves those layouts apart as groups open (arrangeFrame), it has no layout algorithm of its own.
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";

  // Numbers as the Python views write them: 4 significant digits, no trailing zeros.
  function format(v) {
    if (!isFinite(v)) return String(v);
    if (v === 0) return "0";
    var text = Math.abs(v) >= 1e5 || Math.abs(v) < 1e-4 ? v.toExponential(3) : v.toPrecision(4);
    if (text.indexOf("e") >= 0) {
      var parts = text.split("e");
      return parts[0].replace(/\.?0+$/, "") + "e" + parts[1];
    }
    return text.indexOf(".") >= 0 ? text.replace(/\.?0+$/, "") : text;
  }

  function element(tag, attrs, parent) {
    var e = document.createElementNS(SVG, tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }

  function html(tag, className, text, parent) {
    var e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined && text !== null) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }

  // A tensor as a small table: a vector as one row, a matrix as rows, more axes flattened;
  // each number in a <td class="num" data-value> so tests can read what the page shows.
  function tensorTable(t, parent, role) {
    var box = html("div", "tensor-box", null, parent);
    box.setAttribute("data-role", role);
    if (!t) { html("span", "shape", "(no value)", box); return box; }
    var shape = t.shape.length ? "(" + t.shape.join(", ") + (t.shape.length === 1 ? ",)" : ")") : "()";
    var shown = t.values.length < t.size ? ", first " + t.values.length + " of " + t.size : "";
    html("div", "shape", "shape " + shape + shown + ", |·| = " + format(t.norm), box);
    var columns = t.shape.length >= 2 ? t.shape[t.shape.length - 1] : Math.max(t.values.length, 1);
    var table = html("table", "tensor", null, box);
    var row = null;
    t.values.forEach(function (v, i) {
      if (i % columns === 0) row = html("tr", null, null, table);
      var cell = html("td", "num", format(v), row);
      cell.setAttribute("data-value", String(v));
    });
    return box;
  }

  function Explorer(root, data) {
    this.root = root;
    this.data = data;
    this.step = 0;
    this.byId = {};
    this.groupById = {};
    this.collapsed = {};
    // what each frame holds: "" is the page, a group's id its frame
    this.children = {"": []};
    var self = this;
    data.groups.forEach(function (g) {
      self.groupById[g.id] = g;
      self.collapsed[g.id] = g.collapsed;
      self.children[g.id] = [];
    });
    data.nodes.forEach(function (n) { self.byId[n.id] = n; self.children[n.group || ""].push(n); });
    data.groups.forEach(function (g) { self.children[g.parent || ""].push(g); });
    this.build();
    this.show(0);
  }

  Explorer.prototype.build = function () {
    var self = this, d = this.data;
    var header = html("header", null, null, this.root);
    html("h1", null, d.title, header);
    [["first", "« first", 0], ["prev", "◀ back", -1], ["next", "next ▶", 1], ["last", "last »", 2]].forEach(function (b) {
      var button = html("button", null, b[1], header);
      button.id = b[0];
      button.addEventListener("click", function () { self.move(b[0]); });
    });
    this.slider = html("input", null, null, header);
    this.slider.type = "range"; this.slider.min = 0; this.slider.max = d.steps.length - 1; this.slider.value = 0;
    this.slider.id = "slider";
    this.slider.addEventListener("input", function () { self.show(parseInt(self.slider.value, 10)); });
    this.position = html("span", null, "", header);
    this.position.id = "position";
    html("span", "shape", "keys: ← → Home End", header);
    if (d.note) html("div", "note", d.note, this.root);
    if (d.groups.length) this.groupBar = html("div", "groups", "Modules (click to collapse or expand): ", this.root);
    var main = html("main", null, null, this.root);
    this.graph = html("div", null, null, main);
    this.graph.id = "graph";
    this.panel = html("div", null, null, main);
    this.panel.id = "panel";
    this.svg = element("svg", {"font-family": "Helvetica, Arial, sans-serif", "font-size": 11}, this.graph);
    var defs = element("defs", {}, this.svg);
    var marker = element("marker", {id: "arrow", viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 8,
                                    markerHeight: 8, markerUnits: "userSpaceOnUse",
                                    orient: "auto-start-reverse"}, defs);
    element("path", {d: "M0,0 L10,5 L0,10 z", fill: "#777"}, marker);
    this.frameLayer = element("g", {}, this.svg);
    this.edgeLayer = element("g", {}, this.svg);
    this.nodeLayer = element("g", {}, this.svg);
    this.groupLayer = element("g", {}, this.svg);
    // every box is drawn once at (0, 0) and moved into place by arrange()
    this.nodeElements = {};
    d.nodes.forEach(function (n) {
      var g = element("g", {"class": "node " + n.look.join(" "), "data-id": n.id}, self.nodeLayer);
      element("rect", {x: 0, y: 0, width: n.w, height: n.h, rx: n.kind === "op" ? n.h / 2 : 5}, g);
      n.lines.forEach(function (line, i) {
        var t = element("text", {x: n.w / 2, y: 16 + i * 14, "text-anchor": "middle"}, g);
        if (i === 0) t.setAttribute("font-weight", "bold");
        // a tensor's gradient shows once backward has reached it
        if (n.kind === "tensor" && line.indexOf("grad ") === 0) t.setAttribute("class", "gradtext");
        t.textContent = line;
      });
      self.nodeElements[n.id] = g;
    });
    this.groupElements = {};
    d.groups.forEach(function (grp) { self.buildGroup(grp); });
    this.arrange();
    document.addEventListener("keydown", function (e) {
      var keys = {ArrowRight: "next", ArrowDown: "next", ArrowLeft: "prev", ArrowUp: "prev", Home: "first", End: "last"};
      if (keys[e.key]) { e.preventDefault(); self.move(keys[e.key]); }
    });
  };

  // A Module collapsed is one box; open, it is a frame around its own layout, labelled with
  // its name (a click on the label collapses it). The bar above the graph lists the Modules,
  // and a click on a name (or on a collapsed box) flips it.
  Explorer.prototype.buildGroup = function (grp) {
    var self = this, flip = function () { self.toggle(grp.id); };
    var button = html("button", "group-button", grp.label, this.groupBar);
    button.setAttribute("data-group", grp.id);
    button.addEventListener("click", flip);
    var box = element("g", {"class": "group-box", "data-group": grp.id}, this.groupLayer);
    element("rect", {x: 0, y: 0, width: grp.w, height: grp.h, rx: 8}, box);
    var text = element("text", {x: grp.w / 2, y: 17, "text-anchor": "middle", "font-weight": "bold"}, box);
    text.textContent = "+ " + grp.label;
    var more = element("text", {x: grp.w / 2, y: 33, "text-anchor": "middle"}, box);
    more.textContent = "(" + grp.members.length + " boxes)";
    box.addEventListener("click", flip);
    var frame = element("g", {"class": "group-frame", "data-group": grp.id}, this.frameLayer);
    var outline = element("rect", {x: 0, y: 0, rx: 8}, frame);
    var tab = element("g", {"class": "frame-label"}, frame);
    element("rect", {x: 0, y: 0, width: (grp.label.length + 2) * 6.6 + 12, height: 18, rx: 8}, tab);
    element("text", {x: 8, y: 13, "font-weight": "bold"}, tab).textContent = "− " + grp.label;
    tab.addEventListener("click", flip);
    this.groupElements[grp.id] = {box: box, button: button, frame: frame, outline: outline};
  };

  Explorer.prototype.toggle = function (id) {
    this.collapsed[id] = !this.collapsed[id];
    this.arrange();
    this.show(this.step);
  };

  // The sizes and places of a frame's items, relative to the frame, in this.rel; returns the
  // frame's size. An open group is wider and taller than its collapsed box: its column grows
  // (every column to its right moves right by as much) and the boxes below it in its column
  // move down, so nothing overlaps whichever groups are open.
  Explorer.prototype.arrangeFrame = function (frame) {
    var self = this, items = this.children[frame], grow = {}, sizes = {};
    items.forEach(function (it) {
      var group = self.groupById[it.id] === it;
      var inside = group ? self.arrangeFrame(it.id) : null;   // placed even when hidden
      var size = group && !self.collapsed[it.id] ? inside : {w: it.w, h: it.h};
      sizes[it.id] = size;
      grow[it.col] = Math.max(grow[it.col] || 0, size.w - it.w);
    });
    var shift = {}, total = 0;
    Object.keys(grow).map(Number).sort(function (a, b) { return a - b; }).forEach(function (c) {
      shift[c] = total;
      total += grow[c];
    });
    var base = frame ? this.groupById[frame].frame : {w: this.data.width, h: this.data.height};
    var width = base.w, height = base.h, down = {};
    items.slice().sort(function (a, b) { return a.y - b.y; }).forEach(function (it) {
      var size = sizes[it.id], dy = down[it.col] || 0;
      var r = {x: it.x + shift[it.col], y: it.y + dy, w: size.w, h: size.h};
      self.rel[it.id] = r;
      down[it.col] = dy + Math.max(0, size.h - it.h);
      width = Math.max(width, r.x + r.w + 12);
      height = Math.max(height, r.y + r.h + 12);
    });
    return {w: width, h: height};
  };

  // Where everything is now (this.at: id -> page rectangle), what shows, and the edges.
  Explorer.prototype.arrange = function () {
    var self = this;
    this.rel = {};
    this.at = {};
    var size = this.arrangeFrame("");
    function put(frame, ox, oy, shown) {
      self.children[frame].forEach(function (it) {
        var r = self.rel[it.id], at = {x: ox + r.x, y: oy + r.y, w: r.w, h: r.h};
        var move = "translate(" + at.x + "," + at.y + ")";
        if (self.groupById[it.id] !== it) {
          self.at[it.id] = at;
          self.nodeElements[it.id].setAttribute("transform", move);
          self.nodeElements[it.id].classList.toggle("hidden", !shown);
          return;
        }
        var parts = self.groupElements[it.id], shut = self.collapsed[it.id];
        self.at[it.id] = at;
        parts.box.setAttribute("transform", move);
        parts.frame.setAttribute("transform", move);
        parts.outline.setAttribute("width", at.w);
        parts.outline.setAttribute("height", at.h);
        parts.box.classList.toggle("hidden", !(shown && shut));
        parts.frame.classList.toggle("hidden", !(shown && !shut));
        parts.button.classList.toggle("collapsed", shut);
        put(it.id, at.x, at.y, shown && !shut);
      });
    }
    put("", 0, 0, true);
    this.svg.setAttribute("viewBox", "0 0 " + size.w + " " + size.h);
    // fit the panel's width when that keeps the text readable; else scroll
    var scale = this.graph.clientWidth / size.w;
    if (!(scale < 1 && scale > 0.6)) scale = 1;
    this.svg.setAttribute("width", scale === 1 ? size.w : this.graph.clientWidth - 4);
    this.svg.setAttribute("height", size.h * scale);
    this.drawEdges();
  };

  // What shows a node: its box, or the box of the outermost collapsed group that holds it.
  Explorer.prototype.shownAs = function (id) {
    var shown = id, g = this.byId[id].group;
    while (g) {
      if (this.collapsed[g]) shown = g;
      g = this.groupById[g].parent;
    }
    return shown;
  };

  Explorer.prototype.drawEdges = function () {
    var self = this;
    while (this.edgeLayer.firstChild) this.edgeLayer.removeChild(this.edgeLayer.firstChild);
    this.edgeElements = [];
    this.data.edges.forEach(function (e) {
      var from = self.shownAs(e.from), to = self.shownAs(e.to);
      if (from === to) return;   // inside one collapsed box
      var a = self.at[from], b = self.at[to];
      var ax = a.x + a.w, ay = a.y + a.h / 2, bx = b.x, by = b.y + b.h / 2;
      var bend = Math.max(20, (bx - ax) / 2);
      var path = element("path", {"class": "edge", "marker-end": "url(#arrow)",
                                  d: "M" + ax + "," + ay + " C" + (ax + bend) + "," + ay + " " + (bx - bend) + "," + by + " " + bx + "," + by},
                         self.edgeLayer);
      path.setAttribute("data-from", e.from);
      path.setAttribute("data-to", e.to);
      path.setAttribute("data-from-box", from);
      path.setAttribute("data-to-box", to);
      if (e.label && from === e.from && to === e.to) {
        var t = element("text", {x: (ax + bx) / 2, y: (ay + by) / 2 - 3, "text-anchor": "middle", "font-size": 9, fill: "#555"}, self.edgeLayer);
        t.textContent = e.label;
      }
      self.edgeElements.push(path);
    });
  };

  Explorer.prototype.move = function (where) {
    var last = this.data.steps.length - 1;
    var to = {first: 0, prev: this.step - 1, next: this.step + 1, last: last}[where];
    this.show(Math.max(0, Math.min(last, to)));
  };

  Explorer.prototype.mark = function (id, cls) {
    if (!this.byId[id]) return;
    var shown = this.shownAs(id);
    if (shown !== id) this.groupElements[shown].box.classList.add(cls);
    this.nodeElements[id].classList.add(cls);
  };

  Explorer.prototype.show = function (index) {
    var self = this, d = this.data, step = d.steps[index];
    this.step = index;
    this.slider.value = index;
    this.position.textContent = "step " + (index + 1) + " of " + d.steps.length + " (" + step.phase + ")";
    // what earlier steps did: values computed, gradients arrived
    Object.keys(this.nodeElements).forEach(function (id) {
      ["current", "input", "done", "has-grad"].forEach(function (c) { self.nodeElements[id].classList.remove(c); });
    });
    Object.keys(this.groupElements).forEach(function (id) {
      ["current", "input", "done", "has-grad"].forEach(function (c) { self.groupElements[id].box.classList.remove(c); });
    });
    d.steps.slice(0, index).forEach(function (s) {
      self.mark(s.out, s.phase === "forward" ? "done" : "has-grad");
      if (s.op) self.mark(s.op, s.phase === "forward" ? "done" : "has-grad");
    });
    if (step.phase === "backward") this.mark(step.out, "has-grad");
    this.mark(step.out, "current");
    if (step.op) this.mark(step.op, "current");
    var neighbours = step.phase === "forward" ? step.inputs : step.sent;
    neighbours.forEach(function (n) { self.mark(n.node, "input"); });
    this.edgeElements.forEach(function (p) {
      var to = p.getAttribute("data-to"), from = p.getAttribute("data-from");
      var active = step.op && (to === step.op || (from === step.op && to === step.out));
      neighbours.forEach(function (n) { if (from === n.node && to === step.op) active = true; });
      p.classList.toggle("active", !!active);
    });
    this.drawPanel(step);
    var shown = this.shownAs(step.op || step.out);
    var here = this.groupById[shown] ? this.groupElements[shown].box : this.nodeElements[shown];
    if (here.scrollIntoView) here.scrollIntoView({block: "nearest", inline: "center"});
  };

  Explorer.prototype.drawPanel = function (step) {
    var p = this.panel;
    while (p.firstChild) p.removeChild(p.firstChild);
    var title = html("h2", "phase-" + step.phase, (step.phase === "forward" ? "forward: " : "backward: ") + step.title, p);
    title.id = "step-title";
    if (step.code) {
      html("h3", null, "made by", p);
      html("div", "code", step.code, p);
    } else if (step.op) {
      html("div", "shape", "(build the graph inside `with viz.record():` to see the line that made it)", p);
    }
    if (step.phase === "forward") {
      step.inputs.forEach(function (inp) {
        html("h3", null, "input " + inp.name + " = " + inp.label, p);
        tensorTable(inp.value, p, "input");
      });
      html("h3", null, "value of " + step.out + " (" + step.name + ")", p);
      tensorTable(step.value, p, "value");
      return;
    }
    html("h3", null, "value", p);
    tensorTable(step.value, p, "value");
    html("h3", null, "gradient arriving: dL/d(this) = dout", p);
    tensorTable(step.grad, p, "grad");
    if (step.by_hand) {
      html("h3", null, "your backprop by hand", p);
      tensorTable(step.by_hand, p, "by-hand");
      var verdict = step.by_hand.agrees ? "agrees with the engine" : "DIFFERS from the engine";
      html("div", step.by_hand.agrees ? "agree" : "differ",
           verdict + " (largest difference " + format(step.by_hand.difference) + ")", p).id = "by-hand-verdict";
    }
    if (step.rule) {
      html("h3", null, "local derivative rule", p);
      html("div", "rule", step.rule, p).id = "rule";
      html("h3", null, "with the numbers", p);
      html("div", "numbers", step.numbers, p).id = "numbers";
    }
    step.sent.forEach(function (s) {
      html("h3", null, "sent to " + s.name + " (" + s.label + "): local derivative × dout", p);
      tensorTable(s.grad, p, "sent");
    });
  };

  window.TinygradExplorer = {format: format, Explorer: Explorer, tensorTable: tensorTable};
  var source = document.getElementById("explorer-data");
  if (source) window.explorer = new Explorer(document.getElementById("explorer"), JSON.parse(source.textContent));
})();
