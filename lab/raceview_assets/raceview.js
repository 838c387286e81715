/* The race view: the contour map with its player, the 3-D view and the loss curves, in step.
 *
 * The server sends one spec (built by viz/player.py): three Plotly figures, the racers, and
 * every racer's position at every frame as base64 float32 arrays. Everything after that runs
 * here, in the browser: play, pause, one step back or forward, the slider, the arrows at the
 * step shown, hiding a racer. Only two things go back to the server: a click on the map (a new
 * start point) and "inspect this step".
 *
 * The same file runs inside Streamlit (connectToStreamlit) and in an exported HTML file
 * (mount with the spec inlined).
 */
/* global Plotly */
const RaceView = (() => {
  "use strict";

  const WIDE = 700; // below this width the three panels stack
  const PLAY_SECONDS = 6; // a whole race plays in about this long at 1x
  const ARROW_KINDS = [
    { name: "gradient", label: "−∇f", title: "the negative gradient at the point" },
    { name: "velocity", label: "velocity", title: "the optimizer's velocity (its running average of gradients), where it keeps one" },
    { name: "step", label: "step taken", title: "the update actually applied at this step" },
  ];

  function decode(b64) {
    if (!b64) return null;
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    return new Float32Array(bytes.buffer);
  }

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (k === "text") node.textContent = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v);
    });
    (children || []).forEach((c) => node.appendChild(c));
    return node;
  }

  function clamp(v, lo, hi) { return Math.max(lo, Math.min(hi, v)); }

  function dashSvg(color, dash) {
    const pattern = { solid: "", dash: "6,4", dot: "2,3", dashdot: "6,3,2,3", longdash: "10,4", longdashdot: "10,3,2,3" }[dash] || "";
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("width", "26"); svg.setAttribute("height", "10");
    const line = document.createElementNS("http://www.w3.org/2000/svg", "line");
    Object.entries({ x1: 1, y1: 5, x2: 25, y2: 5, stroke: color, "stroke-width": 3, "stroke-dasharray": pattern })
      .forEach(([k, v]) => line.setAttribute(k, v));
    svg.appendChild(line);
    return svg;
  }

  function mount(root, spec, callbacks) {
    const cb = callbacks || {};
    root.innerHTML = "";
    const legend = el("div", { class: "rv-legend", role: "list" });
    const mapDiv = el("div", { class: "rv-map", "data-testid": "rv-map" });
    const player = el("div", { class: "rv-player" });
    const arrowsBar = el("div", { class: "rv-arrows" });
    const note = el("div", { class: "rv-note" });
    const sheetDiv = el("div", { class: "rv-sheet", "data-testid": "rv-sheet" });
    const curvesDiv = el("div", { class: "rv-curves", "data-testid": "rv-curves" });
    const left = el("div", { class: "rv-left" }, [mapDiv, player, arrowsBar, note]);
    const right = el("div", { class: "rv-right" }, [sheetDiv, curvesDiv]);
    const grid = el("div", { class: "rv-grid" }, [left, right]);
    root.appendChild(legend);
    root.appendChild(grid);

    const state = { spec: null, frame: 0, playing: false, timer: null, speed: 1, hidden: new Set(), arrows: new Set(), data: null };

    // -- player controls -------------------------------------------------------------------
    const button = (text, title, testid, onclick) =>
      el("button", { type: "button", title, "aria-label": title, "data-testid": testid, onclick }, [document.createTextNode(text)]);
    const firstBtn = button("|◀", "first step", "rv-first", () => { stop(); show(0); });
    const backBtn = button("◀", "one step back (←)", "rv-back", () => { stop(); show(state.frame - 1); });
    const playBtn = button("▶ Play", "play / pause (space)", "rv-play", () => toggle());
    const fwdBtn = button("▶", "one step forward (→)", "rv-forward", () => { stop(); show(state.frame + 1); });
    const lastBtn = button("▶|", "last step", "rv-last", () => { stop(); show(count() - 1); });
    const slider = el("input", { type: "range", min: 0, max: 0, value: 0, step: 1, "aria-label": "step", "data-testid": "rv-slider",
      oninput: () => { stop(); show(parseInt(slider.value, 10)); } });
    const label = el("span", { class: "rv-step", "data-testid": "rv-step", "aria-live": "polite" });
    const speed = el("select", { "aria-label": "speed", title: "playback speed", "data-testid": "rv-speed",
      onchange: () => { state.speed = parseFloat(speed.value); if (state.playing) { stop(); play(); } } });
    [["0.25", "¼×"], ["0.5", "½×"], ["1", "1×"], ["2", "2×"], ["4", "4×"]].forEach(([v, t]) => {
      const o = el("option", { value: v, text: t }); if (v === "1") o.selected = true; speed.appendChild(o);
    });
    const inspectBtn = button("Inspect this step", "show this step's numbers in the step inspector below", "rv-inspect", () => {
      if (cb.onInspect) cb.onInspect(currentStep());
    });
    [firstBtn, backBtn, playBtn, fwdBtn, lastBtn, slider, label, speed].forEach((n) => player.appendChild(n));
    if (cb.onInspect) player.appendChild(inspectBtn);

    ARROW_KINDS.forEach((kind) => {
      const box = el("input", { type: "checkbox", "data-testid": `rv-arrow-${kind.name}`,
        onchange: () => {
          if (box.checked) state.arrows.add(kind.name); else state.arrows.delete(kind.name);
          // The velocity needs the optimizers' inner state, computed on the server when first asked for.
          if (box.checked && !(state.data && state.data.arrows[kind.name]) && cb.onVelocity) cb.onVelocity();
          drawArrows();
        } });
      const wrap = el("label", { class: `rv-arrow rv-arrow-${kind.name}`, title: kind.title }, [box, document.createTextNode(" " + kind.label)]);
      wrap.dataset.kind = kind.name;
      arrowsBar.appendChild(wrap);
    });

    root.addEventListener("keydown", (e) => {
      if (e.target && (e.target.tagName === "INPUT" && e.target.type !== "range" || e.target.tagName === "SELECT")) return;
      if (e.key === "ArrowLeft") { stop(); show(state.frame - 1); e.preventDefault(); }
      else if (e.key === "ArrowRight") { stop(); show(state.frame + 1); e.preventDefault(); }
      else if (e.key === " ") { toggle(); e.preventDefault(); }
      else if (e.key === "Home") { stop(); show(0); e.preventDefault(); }
      else if (e.key === "End") { stop(); show(count() - 1); e.preventDefault(); }
    });

    function count() { return state.data ? state.data.steps.length : 0; }
    function currentStep() { return state.data ? state.data.steps[state.frame] : 0; }

    function play() {
      if (count() < 2) return;
      if (state.frame >= count() - 1) show(0);
      state.playing = true;
      playBtn.textContent = "❚❚ Pause";
      const interval = clamp((PLAY_SECONDS * 1000) / count(), 25, 400) / state.speed;
      state.timer = setInterval(() => {
        if (state.frame >= count() - 1) { stop(); return; }
        show(state.frame + 1);
      }, interval);
    }
    function stop() {
      if (state.timer) clearInterval(state.timer);
      state.timer = null; state.playing = false; playBtn.textContent = "▶ Play";
    }
    function toggle() { if (state.playing) stop(); else play(); }

    // -- data ---------------------------------------------------------------------------------
    function unpack(s) {
      const f = s.frames;
      const fields = {};
      Object.entries(f.fields).forEach(([name, b64]) => { fields[name] = decode(b64); });
      const arrows = {};
      Object.entries(s.arrows || {}).forEach(([name, b64]) => { arrows[name] = decode(b64); });
      return { steps: f.steps, R: s.racers.length, F: f.steps.length, fields, arrows };
    }
    function at(name, r, k) { const a = state.data.fields[name]; return a ? a[r * state.data.F + k] : null; }
    function upto(name, r, k) {
      const a = state.data.fields[name]; const start = r * state.data.F;
      return Array.from(a.subarray(start, start + k + 1));
    }

    // -- sizes --------------------------------------------------------------------------------
    function layoutSizes() {
      const s = state.spec;
      const width = Math.max(root.clientWidth, 280);
      const wide = width >= WIDE;
      grid.classList.toggle("rv-wide", wide);
      grid.classList.toggle("rv-narrow", !wide);
      const leftW = wide ? Math.max(400, Math.floor(width * (s.present ? 0.64 : 0.62))) : width;
      const rightW = wide ? width - leftW - 12 : width;
      left.style.width = leftW + "px";
      right.style.width = rightW + "px";
      const margins = s.map.layout.margin || { l: 50, r: 10, t: 10, b: 40 };
      const plotW = leftW - (margins.l || 0) - (margins.r || 0);
      // Keep the map and its player on one screen where the page allows it (a projector).
      let viewport = 900, top = 0;
      try {
        viewport = window.parent.innerHeight;
        if (window.frameElement) top = window.frameElement.getBoundingClientRect().top + window.parent.scrollY;
      } catch (err) { /* an exported file has no Streamlit page around it */ }
      const room = viewport - top - 70;
      const cap = s.present ? clamp(room, 320, s.max_map_height_present) : clamp(room, 440, s.max_map_height);
      const mapH = clamp(Math.round(plotW * s.aspect) + (margins.t || 0) + (margins.b || 0), 240, cap);
      const sheetH = wide ? clamp(Math.round(rightW * 0.8), 220, s.present ? 330 : 380) : clamp(Math.round(width * 0.75), 240, 380);
      const curvesH = wide ? clamp(mapH + 110 - sheetH, 220, 340) : 260;
      return { leftW, rightW, mapH, sheetH, curvesH, wide };
    }

    function render(s) {
      const sizes = layoutSizes();
      const cfg = { displaylogo: false, responsive: false, scrollZoom: false,
        modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d", "toggleSpikelines"] };
      const sized = (fig, w, h) => Object.assign({}, fig.layout, { width: w, height: h, autosize: false });
      // Reserve the final height first, so the frame shows at its size at once, then draw the map
      // and let it paint before the 3-D view, which is the slow one.
      mapDiv.style.minHeight = sizes.mapH + "px";
      sheetDiv.style.minHeight = (s.sheet ? sizes.sheetH : 0) + "px";
      curvesDiv.style.minHeight = sizes.curvesH + "px";
      if (cb.onHeight) cb.onHeight(root.scrollHeight + 4);
      const later = () => new Promise((resolve) => setTimeout(resolve, 0));
      // On a narrow screen the colour bar would take a fifth of the map: the contours say enough.
      const mapData = sizes.wide ? s.map.data : s.map.data.map((t, i) => (i === 0 ? Object.assign({}, t, { showscale: false }) : t));
      return Plotly.react(mapDiv, mapData, sized(s.map, sizes.leftW, sizes.mapH), Object.assign({}, cfg, { doubleClick: false }))
        .then(later)
        .then(() => Plotly.react(curvesDiv, s.curves.data, sized(s.curves, sizes.rightW, sizes.curvesH), cfg))
        .then(later)
        .then(() => {
          sheetDiv.style.display = s.sheet ? "" : "none";
          return s.sheet ? Plotly.react(sheetDiv, s.sheet.data, sized(s.sheet, sizes.rightW, sizes.sheetH), cfg) : null;
        })
        .then(() => { if (cb.onHeight) cb.onHeight(root.scrollHeight + 4); });
    }

    function drawLegend(s) {
      legend.innerHTML = "";
      s.racers.forEach((racer) => {
        const chip = el("button", { type: "button", class: "rv-chip", role: "listitem", title: `${racer.label}: ${racer.status}. Click to hide or show.`,
          "data-testid": "rv-chip", "aria-pressed": state.hidden.has(racer.key) ? "false" : "true",
          onclick: () => {
            if (state.hidden.has(racer.key)) state.hidden.delete(racer.key); else state.hidden.add(racer.key);
            chip.classList.toggle("rv-off", state.hidden.has(racer.key));
            chip.setAttribute("aria-pressed", state.hidden.has(racer.key) ? "false" : "true");
            applyVisibility(); show(state.frame);
          } }, [dashSvg(racer.color, racer.dash), el("span", { text: racer.label })]);
        if (racer.diverged_at >= 0) chip.appendChild(el("span", { class: "rv-badge", text: `✕ diverged at step ${racer.diverged_at}` }));
        chip.classList.toggle("rv-off", state.hidden.has(racer.key));
        legend.appendChild(chip);
      });
      const marks = el("span", { class: "rv-marks", text: s.marks || "" });
      legend.appendChild(marks);
    }

    function applyVisibility() {
      [mapDiv, sheetDiv, curvesDiv].forEach((gd) => {
        if (!gd.data) return;
        const idx = []; const vis = [];
        gd.data.forEach((t, i) => {
          if (t.legendgroup && state.spec.racers.some((r) => r.key === t.legendgroup)) {
            idx.push(i); vis.push(state.hidden.has(t.legendgroup) ? false : true);
          }
        });
        if (idx.length) Plotly.restyle(gd, { visible: vis }, idx);
      });
    }

    // -- one frame ----------------------------------------------------------------------------
    function show(k) {
      if (!state.data || !count()) return;
      k = clamp(k, 0, count() - 1);
      state.frame = k;
      slider.value = String(k);
      const s = state.spec; const R = state.data.R; const roles = s.roles;
      const step = state.data.steps[k];
      const total = state.data.steps[count() - 1];
      label.textContent = `step ${step} of ${total}`;
      root.dataset.step = String(step);
      const trailX = [], trailY = [], trailC = [];
      const hx = [], hy = [], hsym = [], hcol = [];
      for (let r = 0; r < R; r++) {
        const racer = s.racers[r];
        const xs = upto("x", r, k), ys = upto("y", r, k);
        trailX.push(xs); trailY.push(ys);
        const loss = upto("loss", r, k), gn = upto("gnorm", r, k);
        trailC.push(xs.map((_, i) => [state.data.steps[i], loss[i], gn[i]]));
        const hidden = state.hidden.has(racer.key);
        hx.push(hidden ? null : at("x", r, k)); hy.push(hidden ? null : at("y", r, k));
        // The engine reports the step at which a racer left the finite world; from that step on
        // the head marks its last finite point with an ✕.
        const blown = racer.diverged_at >= 0 && step >= racer.diverged_at;
        hsym.push(blown ? "x" : "circle"); hcol.push(racer.color);
      }
      // One update of the map per frame: each restyle or relayout of it recomputes the contour,
      // and three of them took most of a frame's time.
      const trailsOnly = roles.map_trails.map(() => undefined); // undefined: leave that trace's value alone
      Plotly.update(mapDiv,
        { x: [...trailX, hx], y: [...trailY, hy], customdata: [...trailC, undefined],
          "marker.symbol": [...trailsOnly, hsym], "marker.color": [...trailsOnly, hcol] },
        { annotations: arrowAnnotations() }, [...roles.map_trails, roles.map_heads]);
      if (s.sheet && roles.sheet_heads !== null) {
        const zx = [], zy = [], zz = [];
        for (let r = 0; r < R; r++) {
          const hidden = state.hidden.has(s.racers[r].key);
          zx.push(hidden ? null : at("x", r, k)); zy.push(hidden ? null : at("y", r, k)); zz.push(hidden ? null : at("z", r, k));
        }
        Plotly.restyle(sheetDiv, { x: [zx], y: [zy], z: [zz] }, [roles.sheet_heads]);
      }
      const curveX = [], curveY = [];
      roles.curve_heads.forEach((head) => {
        const xs = [], ys = [];
        for (let r = 0; r < R; r++) {
          const hidden = state.hidden.has(s.racers[r].key);
          xs.push(hidden ? null : step); ys.push(hidden ? null : at(head.field, r, k));
        }
        curveX.push(xs); curveY.push(ys);
      });
      if (roles.curve_heads.length) Plotly.restyle(curvesDiv, { x: curveX, y: curveY }, roles.curve_heads.map((h) => h.trace));
      if (cb.onFrame) cb.onFrame(step);
    }

    function drawArrows() {
      if (state.spec && state.data) Plotly.relayout(mapDiv, { annotations: arrowAnnotations() });
    }

    function arrowAnnotations() {
      const s = state.spec; if (!s || !state.data) return [];
      const annotations = [];
      const F = state.data.F; const k = state.frame;
      state.arrows.forEach((kind) => {
        const vec = state.data.arrows[kind]; if (!vec) return;
        for (let r = 0; r < state.data.R; r++) {
          const racer = s.racers[r];
          if (state.hidden.has(racer.key)) continue;
          const dx = vec[(r * F + k) * 2], dy = vec[(r * F + k) * 2 + 1];
          if (!isFinite(dx) || !isFinite(dy) || (dx === 0 && dy === 0)) continue;
          const x0 = at("x", r, k), y0 = at("y", r, k);
          annotations.push({ x: x0 + dx, y: y0 + dy, ax: x0, ay: y0, xref: "x", yref: "y", axref: "x", ayref: "y", text: "",
            showarrow: true, arrowhead: kind === "step" ? 2 : kind === "gradient" ? 3 : 1, arrowsize: 1.2,
            arrowwidth: kind === "step" ? 2.5 : 1.8, arrowcolor: kind === "gradient" ? "#222222" : racer.color,
            opacity: kind === "velocity" ? 0.6 : 1 });
        }
      });
      return annotations;
    }

    // -- clicks on the map set the start point --------------------------------------------------
    mapDiv.addEventListener("click", (e) => {
      if (!cb.onStart || !state.spec || !state.spec.clickable) return;
      const fl = mapDiv._fullLayout; if (!fl) return;
      const rect = mapDiv.getBoundingClientRect();
      const px = e.clientX - rect.left - fl.xaxis._offset, py = e.clientY - rect.top - fl.yaxis._offset;
      if (px < 0 || py < 0 || px > fl.xaxis._length || py > fl.yaxis._length) return;
      const x = fl.xaxis.p2c(px), y = fl.yaxis.p2c(py);
      if (!isFinite(x) || !isFinite(y)) return;
      Plotly.restyle(mapDiv, { x: [[x]], y: [[y]] }, [state.spec.roles.map_start]);
      cb.onStart(x, y);
    });

    function update(s) {
      const sameRace = state.spec && state.spec.id === s.id;
      const keepStep = sameRace || (state.spec && state.spec.run_id === s.run_id);
      const wasStep = state.data ? currentStep() : null;
      state.spec = s;
      state.data = unpack(s);
      const keys = new Set(s.racers.map((r) => r.key));
      state.hidden.forEach((key) => { if (!keys.has(key)) state.hidden.delete(key); });
      root.classList.toggle("rv-present", !!s.present);
      slider.max = String(Math.max(count() - 1, 0));
      note.textContent = s.frames.note || "";
      ARROW_KINDS.forEach((kind) => {
        const wrap = arrowsBar.querySelector(`.rv-arrow-${kind.name}`);
        const available = kind.name === "velocity" ? !!s.velocity_possible : !!(s.arrows && s.arrows[kind.name]);
        wrap.style.display = available ? "" : "none";
        if (!available) state.arrows.delete(kind.name);
      });
      arrowsBar.style.display = s.arrows ? "" : "none";
      drawLegend(s);
      stop();
      return render(s).then(() => {
        applyVisibility();
        let k = count() - 1;
        if (keepStep && wasStep !== null) {
          const i = state.data.steps.findIndex((st) => st >= wasStep);
          k = i >= 0 ? i : count() - 1;
        }
        show(k);
        root.dataset.spec = s.id;  // lets a test (or a curious reader) see which race is drawn
      });
    }

    // Only a new width needs a new layout: height changes are our own (setFrameHeight).
    let resizeTimer = null;
    let drawnWidth = root.clientWidth;
    window.addEventListener("resize", () => {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(() => {
        if (!state.spec || Math.abs(root.clientWidth - drawnWidth) < 2) return;
        drawnWidth = root.clientWidth;
        render(state.spec).then(() => show(state.frame));
      }, 150);
    });

    const view = { update, show, play, stop, get frame() { return state.frame; }, get step() { return currentStep(); } };
    root.raceView = view;
    update(spec);
    return view;
  }

  // -- Streamlit's component protocol, by hand (no build step, no npm package) -----------------
  function connectToStreamlit(root) {
    let view = null; let lastSpec = null; let lastHeight = 0;
    const send = (type, payload) => window.parent.postMessage(Object.assign({ isStreamlitMessage: true, type }, payload), "*");
    const setHeight = (h) => { if (Math.abs(h - lastHeight) > 1) { lastHeight = h; send("streamlit:setFrameHeight", { height: h }); } };
    const value = (payload) => send("streamlit:setComponentValue", { value: Object.assign({ nonce: Date.now() + Math.random() }, payload), dataType: "json" });
    const callbacks = {
      onHeight: setHeight,
      onStart: (x, y) => value({ kind: "start", x, y }),
      onInspect: (step) => value({ kind: "inspect", step }),
      onVelocity: () => value({ kind: "velocity" }),
    };
    window.addEventListener("message", (event) => {
      const data = event.data;
      if (!data || data.type !== "streamlit:render") return;
      const text = data.args.spec;
      if (text === lastSpec) return;
      lastSpec = text;
      const spec = JSON.parse(text);
      if (!view) view = mount(root, spec, callbacks); else view.update(spec);
    });
    send("streamlit:componentReady", { apiVersion: 1 });
    new ResizeObserver(() => setHeight(root.scrollHeight + 4)).observe(root);
  }

  return { mount, connectToStreamlit, decode };
})();
