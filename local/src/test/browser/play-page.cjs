// Drives a job's player page in headless Debian chromium with playwright-core and prints what it
// observed as one JSON object on stdout; PlayerPageBrowserTest asserts on it.
//   node play-page.cjs config.json
// config: { playwrightCore (its folder), chromium, userDataDir, url, routes: {cdnUrl: localFile}, renditions: [{id, width, height}],
//           playSeconds, screenshot, stepTimeoutMs,
//           preview (optional): { hoverTimes: [s], seekTime, dragFrom, dragTo, screenshot, parserCases: [{text, base, times}],
//                                 brokenTrack: body served for the track on a second page load, or null },
//           audio (optional): { select: the audio rendition id to switch to } (the page's audio menu),
//           subtitles (optional): [{ id, time, text }]: pick id in the page's subtitles menu, play from time until
//                                 the browser shows a cue with that text (or the step times out); then "off",
//           refusal (optional): { controlPage: the page's HTML without integrity hashes }: only checkRefusal runs }
// The player libraries' CDN URLs are fulfilled from the local npm files named in routes, with the
// CDN's CORS header, so the browser checks the page's integrity hashes against those bytes. Any
// other request leaving the local server is aborted and reported.
"use strict";
const fs = require("fs");

const config = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const { chromium } = require(config.playwrightCore);
const origin = new URL(config.url).origin;
const result = {
  ready: false, poster: null, playedTo: null, switches: [], consoleLog: [], pageErrors: [], playerErrors: [],
  playerWarnings: [], unexpectedRequests: [], failedResponses: [], failedRequests: [], thumbnailResponses: [],
  preview: null, audio: null, audioResponses: [], fatal: null
};
const started = Date.now();
const log = text => result.consoleLog.push({ type: "driver", text: ((Date.now() - started) / 1000).toFixed(1) + " s " + text });

async function run() {
  const context = await chromium.launchPersistentContext(config.userDataDir, {
    executablePath: config.chromium,
    headless: true,
    viewport: { width: 1000, height: 720 },
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--autoplay-policy=no-user-gesture-required"]
  });
  try {
    await context.route("**/*", route => {
      const url = route.request().url();
      if (config.routes[url]) {
        return route.fulfill({ status: 200, path: config.routes[url],
          headers: { "content-type": "application/javascript; charset=utf-8", "access-control-allow-origin": "*" } });
      }
      if (url.startsWith(origin + "/")) return route.continue();
      result.unexpectedRequests.push(url);
      return route.abort();
    });
    const page = context.pages()[0] || await context.newPage();
    page.on("console", m => result.consoleLog.push({ type: m.type(), text: m.text(), url: m.location().url }));
    page.on("pageerror", e => result.pageErrors.push(String(e && e.stack || e)));
    page.on("response", r => {
      if (r.status() >= 400) result.failedResponses.push(r.status() + " " + r.url());
      if (new URL(r.url()).pathname.includes("/thumbnails/")) result.thumbnailResponses.push(r.status() + " " + r.url());
      // which audio rendition's segments the player fetches: the folder before /seg-
      const audioSegment = new URL(r.url()).pathname.match(/\/(audio[^/]*)\/seg-\d+\.m4s$/);
      if (audioSegment) result.audioResponses.push(audioSegment[1]);
    });
    page.on("requestfailed", r => {
      const reason = r.failure() && r.failure().errorText;
      // a player cancelling its own download (e.g. on a quality switch) is no failure
      if (reason === "net::ERR_ABORTED" && !result.unexpectedRequests.includes(r.url())) log("aborted by the page: " + r.url());
      else result.failedRequests.push(r.url() + " " + reason);
    });

    const state = () => page.evaluate(() => {
      const v = document.getElementById("video");
      return { ready: window.playerPage.ready, errors: window.playerPage.errors, warnings: window.playerPage.warnings,
        currentTime: v.currentTime, width: v.videoWidth, height: v.videoHeight, paused: v.paused, ended: v.ended,
        readyState: v.readyState, codec: window.playerPage.codec, playing: window.playerPage.playing,
        status: document.getElementById("status").textContent };
    });
    // Waits for cond(state); returns the last state, or throws with it when the time is up or the page reports an error.
    const waitFor = async (what, cond, timeoutMs = config.stepTimeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      let s;
      for (;;) {
        s = await state();
        if (s.errors.length) throw new Error(what + ": the page reported an error: " + s.errors.join("; "));
        if (cond(s)) return s;
        if (Date.now() > deadline) throw new Error(what + ": not within " + timeoutMs + " ms; last state " + JSON.stringify(s));
        await page.waitForTimeout(100);
      }
    };

    if (config.refusal) {
      result.refusal = await checkRefusal(context);
      return;
    }
    log("open " + config.url);
    await page.goto(config.url);
    await waitFor("player ready", s => s.ready);
    result.ready = true;
    result.poster = await page.evaluate(async () => {
      const v = document.getElementById("video");
      if (!v.poster) return null;
      const img = new Image();
      img.src = v.poster;
      await img.decode().catch(() => {});
      return { src: v.poster, width: img.naturalWidth, height: img.naturalHeight };
    });
    log("ready; play");
    await page.evaluate(() => document.getElementById("video").play());
    let s = await waitFor("play to " + config.playSeconds + " s", s => s.currentTime >= config.playSeconds,
      config.playSeconds * 1000 + config.stepTimeoutMs);
    result.playedTo = s.currentTime;
    result.codec = s.codec;
    result.playing = s.playing;
    log("played to " + s.currentTime.toFixed(2) + " s showing " + s.width + "x" + s.height);

    // Every switch must change the picture: the rendition on screen now comes last.
    const order = config.renditions.filter(r => !(r.width === s.width && r.height === s.height))
      .concat(config.renditions.filter(r => r.width === s.width && r.height === s.height));
    for (const r of order) {
      const before = await state();
      log("select " + r.id + " at " + before.currentTime.toFixed(2) + " s");
      const t0 = Date.now();
      await page.selectOption("#quality", r.id);
      const switched = { id: r.id, expected: [r.width, r.height], observed: null, fromTime: before.currentTime,
        shownAt: null, playedTo: null, ms: null, error: null };
      result.switches.push(switched);
      try {
        const shown = await waitFor("show " + r.id, s => s.width === r.width && s.height === r.height);
        switched.shownAt = shown.currentTime;
        switched.ms = Date.now() - t0;
        // still playing on the new rendition
        const later = await waitFor("keep playing " + r.id, s => s.currentTime >= shown.currentTime + 0.5);
        switched.playedTo = later.currentTime;
        switched.observed = [later.width, later.height];
        switched.playing = later.playing;
        switched.status = later.status;
        log("showing " + later.width + "x" + later.height + " after " + switched.ms + " ms");
      } catch (e) {
        const last = await state();
        switched.observed = [last.width, last.height];
        switched.error = e.message;
        log(e.message);
      }
    }
    await page.selectOption("#quality", "auto");
    await page.waitForTimeout(300);
    if (config.audio) result.audio = await switchAudio(page, state, waitFor);
    if (config.preview) result.preview = await checkPreviews(page, state, waitFor);
    if (config.subtitles) result.subtitles = await checkSubtitles(page);
    log("done at " + (await state()).currentTime.toFixed(2) + " s");
  } finally {
    // what the page itself reports, and a picture for humans, however far the run got
    const page = context.pages()[0];
    if (page) {
      await page.evaluate(() => ({ errors: window.playerPage.errors, warnings: window.playerPage.warnings }))
        .then(p => { result.playerErrors = p.errors; result.playerWarnings = p.warnings; }, e => log("cannot read the page state: " + e.message));
      await page.screenshot({ path: config.screenshot }).catch(e => log("screenshot failed: " + e.message));
    }
    await context.close();
  }
}

// Picks config.audio.select in the page's audio menu; reports the audio rendition the player had
// chosen, the one it has after the switch, and which audio folders it fetched segments of after it.
async function switchAudio(page, state, waitFor) {
  const out = { menu: null, initial: null, active: null, fetchedAfter: [], fromTime: null, playedTo: null, error: null };
  out.menu = await page.evaluate(() => ({ hidden: document.getElementById("audio-menu").hidden,
    options: [...document.getElementById("audio").options].map(o => o.value + " " + o.textContent) }));
  out.initial = await page.evaluate(() => window.playerPage.audio());
  const before = await state();
  out.fromTime = before.currentTime;
  const fetched = result.audioResponses.length;
  log("audio " + out.initial + " → " + config.audio.select + " at " + before.currentTime.toFixed(2) + " s");
  try {
    await page.selectOption("#audio", config.audio.select);
    const deadline = Date.now() + config.stepTimeoutMs;
    while (Date.now() < deadline) {
      out.active = await page.evaluate(() => window.playerPage.audio());
      if (out.active === config.audio.select && result.audioResponses.slice(fetched).includes(config.audio.select)) break;
      await page.waitForTimeout(100);
    }
    const later = await waitFor("keep playing after the audio switch", s => s.currentTime >= before.currentTime + 1);
    out.playedTo = later.currentTime;
  } catch (e) {
    out.error = e.message;
    log(e.message);
  }
  out.fetchedAfter = [...new Set(result.audioResponses.slice(fetched))];
  return out;
}

// Hovers, clicks, drags and keys on the page's seek bar with the video paused; reports what the
// preview showed (PlayerPageBrowserTest compares it with the job's thumbnail track) and where the video went.
async function checkPreviews(page, state, waitFor) {
  const cfg = config.preview;
  const out = { thumbnails: null, duration: null, bar: null, hovers: [], seek: null, drag: null, key: null, parsed: null, brokenTrack: null };
  const thumbs = () => page.evaluate(() => {
    const t = window.playerPage.thumbnails;
    return { status: t.status, cues: t.cues, rejected: t.rejected, barHidden: document.getElementById("seek").hidden };
  });
  const deadline = Date.now() + config.stepTimeoutMs;
  while ((await thumbs()).status === "loading" && Date.now() < deadline) await page.waitForTimeout(100);
  out.thumbnails = await thumbs();
  log("thumbnails " + JSON.stringify(out.thumbnails));
  if (out.thumbnails.status !== "ready") return out;
  await page.evaluate(() => document.getElementById("video").pause());
  const geometry = await page.evaluate(() => {
    const r = document.getElementById("seek").getBoundingClientRect();
    return { duration: document.getElementById("video").duration, bar: { left: r.left, top: r.top, width: r.width, height: r.height } };
  });
  out.duration = geometry.duration;
  out.bar = geometry.bar;
  const xAt = t => out.bar.left + out.bar.width * t / out.duration;
  const y = out.bar.top + out.bar.height / 2;
  const shown = () => page.evaluate(() => {
    const tile = getComputedStyle(document.getElementById("preview-tile"));
    const box = document.getElementById("preview");
    const r = box.getBoundingClientRect();
    return { shown: window.playerPage.thumbnails.shown, visible: !box.hidden, backgroundImage: tile.backgroundImage,
      backgroundPosition: tile.backgroundPosition, width: tile.width, height: tile.height,
      label: document.getElementById("preview-time").textContent, box: { left: r.left, right: r.right, bottom: r.bottom } };
  });
  for (const t of cfg.hoverTimes) {
    await page.mouse.move(xAt(t), y);
    await page.waitForTimeout(50);
    const seen = Object.assign({ target: t }, await shown());
    out.hovers.push(seen);
    log("hover " + t.toFixed(3) + " s: " + JSON.stringify(seen.shown));
  }
  await page.mouse.move(xAt(cfg.hoverTimes[1]), y);
  await page.waitForTimeout(100);
  // the sheet is a CSS background: wait until the browser has it before taking the picture
  await page.evaluate(() => new Promise(resolve => {
    const img = new Image();
    img.onload = img.onerror = resolve;
    img.src = window.playerPage.thumbnails.shown.sheet;
  }));
  await page.screenshot({ path: cfg.screenshot });

  const seekState = () => page.evaluate(() => {
    const v = document.getElementById("video");
    return { currentTime: v.currentTime, seeking: v.seeking, paused: v.paused };
  });
  const settle = async (what, t) => {
    const end = Date.now() + config.stepTimeoutMs;
    let s;
    for (;;) {
      s = await seekState();
      if (!s.seeking && Math.abs(s.currentTime - t) < 0.5) return s;
      if (Date.now() > end) { log(what + ": video at " + JSON.stringify(s)); return s; }
      await page.waitForTimeout(50);
    }
  };
  await page.mouse.move(xAt(cfg.seekTime), y);
  await page.mouse.down();
  await page.mouse.up();
  out.seek = Object.assign({ target: cfg.seekTime }, await settle("click", cfg.seekTime));
  log("clicked at " + cfg.seekTime + " s: video at " + out.seek.currentTime);

  await page.mouse.move(xAt(cfg.dragFrom), y);
  await page.mouse.down();
  await page.mouse.move(xAt(cfg.dragTo), y, { steps: 8 });
  const during = await shown();
  const before = (await seekState()).currentTime;
  await page.mouse.up();
  out.drag = Object.assign({ from: cfg.dragFrom, target: cfg.dragTo, previewWhileDragging: during, timeWhileDragging: before },
    await settle("drag", cfg.dragTo));
  log("dragged to " + cfg.dragTo + " s: video at " + out.drag.currentTime);

  await page.mouse.move(out.bar.left + out.bar.width / 2, out.bar.top - 200); // off the bar
  await page.focus("#seek");
  const from = (await seekState()).currentTime;
  await page.keyboard.press("ArrowRight");
  const keyPreview = await shown(); // before it fades
  const afterKey = await settle("ArrowRight", from + 5);
  out.key = { key: "ArrowRight", from, currentTime: afterKey.currentTime, preview: keyPreview };
  log("ArrowRight from " + from + " s: video at " + afterKey.currentTime);

  out.parsed = await page.evaluate(cases => cases.map(c => {
    const t = window.playerPage.thumbnails;
    const p = t.parse(c.text, c.base);
    return p && { cues: p.cues, rejected: p.rejected, at: c.times.map(time => t.cueAt(p.cues, time)) };
  }), cfg.parserCases);

  if (cfg.brokenTrack !== null) out.brokenTrack = await loadWithBrokenTrack(page.context(), cfg.brokenTrack);
  return out;
}

// For each subtitle track: chosen in the page's menu, the video played from just before one of its
// cues until it shows; what the browser shows is the active cue of the video's text track in "showing" mode
// (the players hand their cues to the video element's text tracks, which Chromium renders).
// Then "Off": no track may show a cue.
async function checkSubtitles(page) {
  const out = { menu: null, checks: [], off: null };
  out.menu = await page.evaluate(() => Array.from(document.getElementById("subtitles").options).map(o => o.value + " " + o.textContent));
  await page.evaluate(() => document.getElementById("video").pause());
  const showing = () => page.evaluate(() => {
    const v = document.getElementById("video");
    const tracks = Array.from(v.textTracks).filter(t => t.mode === "showing");
    const cues = [];
    for (const t of tracks) for (const c of Array.from(t.activeCues || [])) {
      cues.push({ text: c.text, start: c.startTime, end: c.endTime, language: t.language, label: t.label });
    }
    const all = Array.from(v.textTracks).map(t => t.language + ":" + t.mode + ":" + (t.cues ? t.cues.length : "-"));
    return { currentTime: v.currentTime, showingTracks: tracks.length, cues, selected: window.playerPage.subtitles, tracks: all };
  });
  for (const want of config.subtitles) {
    log("subtitles " + want.id + " at " + want.time + " s");
    await page.selectOption("#subtitles", want.id);
    // From just before the cue, playing, until the browser shows the cue; then paused where it
    // was seen. Choosing a file dash.js has not loaded restarts dash.js (see the page): a pending
    // play() then rejects with AbortError, and a seek made during the restart is lost (a known limit
    // of the page). So: seek and play, and seek again while playback is not near the cue.
    const seekAndPlay = t => page.evaluate(async t => {
      const v = document.getElementById("video");
      for (let attempt = 0; ; attempt++) {
        try {
          v.currentTime = t;
          await v.play();
          return;
        } catch (e) {
          if (e.name !== "AbortError" || attempt >= 5) throw e;
          await new Promise(r => setTimeout(r, 300));
        }
      }
    }, t);
    await seekAndPlay(want.time);
    const deadline = Date.now() + config.stepTimeoutMs;
    let seen;
    for (;;) {
      seen = await showing();
      if (seen.cues.some(c => c.text === want.text) || Date.now() > deadline) break;
      if (seen.currentTime < want.time - 1 || seen.currentTime > want.time + 4) {
        log("subtitles " + want.id + ": playback at " + seen.currentTime + " s, not near the cue: seek again");
        await seekAndPlay(want.time);
      }
      await page.waitForTimeout(50);
    }
    await page.evaluate(() => document.getElementById("video").pause());
    out.checks.push(Object.assign({ id: want.id, time: want.time, expected: want.text }, seen));
    log("shown: " + JSON.stringify(seen));
    await page.screenshot({ path: config.screenshot.replace(/\.png$/, "-subtitles-" + want.id + ".png") }).catch(() => {});
  }
  await page.selectOption("#subtitles", "off");
  await page.waitForTimeout(500);
  out.off = await showing();
  log("subtitles off: " + JSON.stringify(out.off));
  return out;
}

// The page with a player script whose bytes differ from its integrity hash (the routes serve the
// altered file): it must refuse it, so the player never starts. Then the control: the same altered
// bytes under a copy of the page without integrity hashes (config.refusal.controlPage) run and the
// player starts, so the refusal was the hash's doing, not a broken script.
async function checkRefusal(context) {
  const load = async (what, body) => {
    const page = await context.newPage();
    const seen = { ready: false, errors: [], pageErrors: [], consoleErrors: [], scriptResponses: [] };
    page.on("pageerror", e => seen.pageErrors.push(String(e)));
    page.on("console", m => { if (m.type() === "error") seen.consoleErrors.push(m.text()); });
    page.on("response", r => { if (config.routes[r.url()]) seen.scriptResponses.push(r.status() + " " + r.url()); });
    if (body !== null) {
      await page.route(url => new URL(url).pathname === new URL(config.url).pathname,
        route => route.fulfill({ status: 200, contentType: "text/html; charset=utf-8", body }));
    }
    await page.goto(config.url);
    const deadline = Date.now() + config.stepTimeoutMs;
    for (;;) {
      const s = await page.evaluate(() => ({ ready: window.playerPage.ready, errors: window.playerPage.errors }));
      seen.ready = s.ready;
      seen.errors = s.errors;
      if (s.ready || s.errors.length || Date.now() > deadline) break;
      await page.waitForTimeout(100);
    }
    log(what + ": " + JSON.stringify(seen));
    await page.close();
    return seen;
  };
  return { tampered: await load("altered script, the page as deployed", null),
    control: await load("altered script, a copy of the page without integrity hashes", config.refusal.controlPage) };
}

// The same page on a second tab whose track is answered with a broken body: the page must still
// play, without the seek bar, with a warning and no error.
async function loadWithBrokenTrack(context, body) {
  const page = await context.newPage();
  const seen = { ready: false, thumbnails: null, barHidden: null, errors: null, warnings: null, pageErrors: [], consoleErrors: [] };
  page.on("pageerror", e => seen.pageErrors.push(String(e)));
  page.on("console", m => { if (m.type() === "error") seen.consoleErrors.push(m.text()); });
  await page.route(url => new URL(url).pathname.endsWith(".vtt"), route => route.fulfill({ status: 200, contentType: "text/vtt", body }));
  await page.goto(config.url);
  const deadline = Date.now() + config.stepTimeoutMs;
  let s;
  for (;;) {
    s = await page.evaluate(() => ({ ready: window.playerPage.ready, status: window.playerPage.thumbnails.status,
      barHidden: document.getElementById("seek").hidden, errors: window.playerPage.errors, warnings: window.playerPage.warnings }));
    if ((s.ready && s.status !== "loading") || s.errors.length || Date.now() > deadline) break;
    await page.waitForTimeout(100);
  }
  Object.assign(seen, { ready: s.ready, thumbnails: s.status, barHidden: s.barHidden, errors: s.errors, warnings: s.warnings });
  log("with a broken track: " + JSON.stringify(seen));
  await page.close();
  return seen;
}

run().catch(e => { result.fatal = String(e && e.stack || e); })
  .finally(() => { process.stdout.write(JSON.stringify(result) + "\n"); });
