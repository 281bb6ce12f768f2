// The map editor's drawing: boxes moved, added and joined with a mouse or a finger (pointer
// events), over the same form fields the keyboard edits in the tables of boxes and lines
// below it. Nothing is kept here: every change is written into those fields at once, and
// the drawing is drawn again from them, so the two can never disagree. A box stays where it
// was put (nothing is laid out automatically). The shapes follow keywork/maps/svg.py, the
// server's drawing of the saved map.
document.addEventListener("DOMContentLoaded", () => {
  const editor = document.querySelector("[data-map-editor]");
  if (!editor) return;
  const form = editor.closest("form");
  const svg = editor.querySelector("svg");
  const hint = editor.querySelector("[data-hint]");
  const removeButton = editor.querySelector("[data-remove]");
  const NS = "http://www.w3.org/2000/svg";
  const [WIDTH, HEIGHT, BOX, LINE, PAD, WRAP] = [800, 500, 160, 16, 8, 22];
  const OUTLINE = {
    feeling: ["12", "0"], thought: ["12", "4 3"], person: ["24", "0"], trigger: ["0", "0"],
    warning_sign: ["0", "6 3"], coping: ["6", "0"], strength: ["6", "2 2"], goal: ["2", "0"],
    step: ["2", "8 3"], support: ["24", "4 3"], activity: ["6", "8 2"], note: ["0", "1 3"],
  };
  let mode = "move";
  let chosen = null; // the id of the box chosen (to move, take off, or join from)
  let dragging = null;

  const field = (name) => form.elements.namedItem(name);
  const rows = (kind) => [...form.querySelectorAll(`tr[data-${kind}-row]`)];
  const index = (row) => Number(row.dataset.index);

  const boxes = () =>
    rows("box")
      .map((row) => {
        const p = `node-${index(row)}`;
        return {
          row, id: field(`${p}-id`).value, text: field(`${p}-text`).value.trim(),
          kind: field(`${p}-kind`).value,
          x: Number(field(`${p}-x`).value || WIDTH / 2), y: Number(field(`${p}-y`).value || HEIGHT / 2),
        };
      })
      .filter((box) => box.text);

  const lines = () =>
    rows("line").map((row) => {
      const p = `link-${index(row)}`;
      return { from: field(`${p}-from`).value, to: field(`${p}-to`).value, label: field(`${p}-label`).value };
    });

  // Text wrapped as the server wraps it (Python's textwrap at 22 characters, six lines).
  const wrap = (text) => {
    const out = [];
    let line = "";
    for (let word of text.split(/\s+/).filter(Boolean)) {
      while (word.length > WRAP) {
        if (line) { out.push(line); line = ""; }
        out.push(word.slice(0, WRAP));
        word = word.slice(WRAP);
      }
      if (!word) continue;
      if (line && (line + " " + word).length > WRAP) { out.push(line); line = word; }
      else line = line ? line + " " + word : word;
    }
    if (line) out.push(line);
    return out.slice(0, 6).length ? out.slice(0, 6) : [""];
  };
  const height = (box) => wrap(box.text).length * LINE + 2 * PAD;

  const edge = (box, dx, dy) => {
    if (!dx && !dy) return [box.x, box.y];
    const scale = Math.min(dx ? BOX / 2 / Math.abs(dx) : Infinity, dy ? height(box) / 2 / Math.abs(dy) : Infinity);
    return [box.x + dx * scale, box.y + dy * scale];
  };

  const make = (name, attributes, parent) => {
    const element = document.createElementNS(NS, name);
    Object.entries(attributes).forEach(([key, value]) => element.setAttribute(key, value));
    parent.appendChild(element);
    return element;
  };

  const draw = () => {
    [...svg.querySelectorAll("g")].forEach((g) => g.remove());
    const all = boxes();
    const at = Object.fromEntries(all.map((box) => [box.id, box]));
    for (const link of lines()) {
      const [start, end] = [at[link.from], at[link.to]];
      if (!start || !end || start === end) continue;
      const [dx, dy] = [end.x - start.x, end.y - start.y];
      const [x1, y1] = edge(start, dx, dy);
      const [x2, y2] = edge(end, -dx, -dy);
      const g = make("g", { class: "map-link" }, svg);
      make("line", { x1, y1, x2, y2, "marker-end": "url(#editor-arrow)" }, g);
      if (link.label) {
        const label = make("text", { class: "map-label", x: (x1 + x2) / 2, y: (y1 + y2) / 2 - 4, "text-anchor": "middle" }, g);
        label.textContent = link.label;
      }
    }
    for (const box of all) {
      const lines = wrap(box.text);
      const h = height(box);
      const [radius, dash] = OUTLINE[box.kind] || ["4", "0"];
      const g = make("g", { class: "map-node" + (box.id === chosen ? " chosen" : ""), "data-node": box.id }, svg);
      make("rect", { x: box.x - BOX / 2, y: box.y - h / 2, width: BOX, height: h, rx: radius, "stroke-dasharray": dash }, g);
      const text = make("text", { x: box.x, y: box.y - h / 2 + PAD + LINE - 4, "text-anchor": "middle" }, g);
      lines.forEach((words, i) => {
        const span = make("tspan", { x: box.x, dy: i ? LINE : 0 }, text);
        span.textContent = words;
      });
    }
    removeButton.disabled = !chosen;
  };

  const say = (words) => { hint.textContent = words; };

  // A new row of the table, copied from its last row with the next number in its names.
  const newRow = (kind) => {
    const last = rows(kind).at(-1);
    const i = index(last) + 1;
    const row = last.cloneNode(true);
    row.dataset.index = i;
    row.querySelectorAll(".errorlist").forEach((errors) => errors.remove());
    row.querySelectorAll("[name], [id], [for]").forEach((element) => {
      for (const attribute of ["name", "id", "for"]) {
        const value = element.getAttribute(attribute);
        if (value) element.setAttribute(attribute, value.replace(/-\d+-/, `-${i}-`));
      }
      if (element.tagName === "LABEL") element.textContent = element.textContent.replace(/\d+/, i + 1);
      if (element.tagName === "INPUT" && element.type !== "hidden") element.value = "";
      if (element.tagName === "SELECT") element.value = "";
    });
    last.after(row);
    if (kind === "box") {
      field(`node-${i}-id`).value = `new-${i}`;
      form.querySelectorAll("select[name^=link-][name$=-from], select[name^=link-][name$=-to]").forEach((select) => {
        select.add(new Option(`Box ${i + 1} (new)`, `new-${i}`));
      });
    }
    return row;
  };

  const freeBoxRow = () =>
    rows("box").find((row) => !field(`node-${index(row)}-text`).value.trim()) || newRow("box");
  const freeLineRow = () =>
    rows("line").find((row) => {
      const p = `link-${index(row)}`;
      return !field(`${p}-from`).value && !field(`${p}-to`).value;
    }) || newRow("line");

  // The point of a pointer event on the page of the map (0 to 800 across, 0 to 500 down).
  const point = (event) => {
    const p = new DOMPoint(event.clientX, event.clientY).matrixTransform(svg.getScreenCTM().inverse());
    return [Math.round(Math.min(WIDTH, Math.max(0, p.x))), Math.round(Math.min(HEIGHT, Math.max(0, p.y)))];
  };
  const rowOf = (id) => rows("box").find((row) => field(`node-${index(row)}-id`).value === id);

  const setMode = (next) => {
    mode = next;
    editor.querySelectorAll("[data-mode]").forEach((button) => {
      button.setAttribute("aria-pressed", String(button.dataset.mode === mode));
    });
    say({
      add: "Click or tap where the new box goes, then write what it says.",
      join: chosen ? "Click or tap the box to join it to." : "Click or tap the box the line starts from.",
      move: "Drag a box to move it. Choose a box to take it off.",
    }[mode]);
  };

  svg.addEventListener("pointerdown", (event) => {
    const node = event.target.closest(".map-node");
    const id = node && node.dataset.node;
    if (mode === "add") {
      const [x, y] = point(event);
      const row = freeBoxRow();
      const p = `node-${index(row)}`;
      field(`${p}-x`).value = x;
      field(`${p}-y`).value = y;
      field(`${p}-text`).value = "New box";
      chosen = field(`${p}-id`).value;
      setMode("move");
      draw();
      field(`${p}-text`).focus();
      field(`${p}-text`).select();
      event.preventDefault();
      return;
    }
    if (!id) { chosen = null; draw(); return; }
    if (mode === "join") {
      if (chosen && chosen !== id) {
        const row = freeLineRow();
        const p = `link-${index(row)}`;
        field(`${p}-from`).value = chosen;
        field(`${p}-to`).value = id;
        chosen = null;
        setMode("move");
        draw();
        field(`${p}-label`).focus();
        event.preventDefault();
        return;
      }
      chosen = id;
      setMode("join");
      draw();
      return;
    }
    chosen = id;
    const [x, y] = point(event);
    const p = `node-${index(rowOf(id))}`;
    dragging = { p, dx: Number(field(`${p}-x`).value) - x, dy: Number(field(`${p}-y`).value) - y };
    svg.setPointerCapture(event.pointerId);
    draw();
    event.preventDefault();
  });
  svg.addEventListener("pointermove", (event) => {
    if (!dragging) return;
    const [x, y] = point(event);
    field(`${dragging.p}-x`).value = Math.min(WIDTH, Math.max(0, x + dragging.dx));
    field(`${dragging.p}-y`).value = Math.min(HEIGHT, Math.max(0, y + dragging.dy));
    draw();
  });
  const stop = () => { dragging = null; };
  svg.addEventListener("pointerup", stop);
  svg.addEventListener("pointercancel", stop);

  editor.querySelectorAll("[data-mode]").forEach((button) => {
    button.addEventListener("click", () => {
      chosen = null;
      setMode(mode === button.dataset.mode ? "move" : button.dataset.mode);
      draw();
    });
  });
  // Taking a box off clears its text (the form leaves it out) and the lines that touch it.
  removeButton.addEventListener("click", () => {
    const row = rowOf(chosen);
    if (!row) return;
    field(`node-${index(row)}-text`).value = "";
    rows("line").forEach((line) => {
      const p = `link-${index(line)}`;
      if ([field(`${p}-from`).value, field(`${p}-to`).value].includes(chosen)) {
        field(`${p}-from`).value = "";
        field(`${p}-to`).value = "";
        field(`${p}-label`).value = "";
      }
    });
    say("The box is taken off. Saving keeps the earlier version as it was.");
    chosen = null;
    draw();
  });
  // What is typed in the tables shows in the drawing at once; a box's words name it in the
  // lists of where a line starts and ends.
  form.addEventListener("input", (event) => {
    const named = /^node-(\d+)-text$/.exec(event.target.name || "");
    if (named) {
      const id = field(`node-${named[1]}-id`).value;
      form.querySelectorAll(`select option[value="${CSS.escape(id)}"]`).forEach((option) => {
        option.textContent = event.target.value.trim() || `Box ${Number(named[1]) + 1} (new)`;
      });
    }
    draw();
  });
  form.addEventListener("change", draw);
  editor.hidden = false;
  setMode("move");
  draw();
});
