// Speech to text on the 接警台: the microphone's audio, as 16 kHz mono PCM16 in 250 ms chunks, to the server's
// recogniser; the text so far fills the transcript box (and triage reads it as if typed).
(() => {
  const toggle = document.getElementById("speech-toggle");
  const box = document.getElementById("text");
  const state = document.getElementById("speech-state");
  if (!toggle || !box || toggle.disabled) return;
  const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content || "";
  let running = null;

  async function post(url, body) {
    const response = await fetch(url, { method: "POST", body, credentials: "same-origin",
      headers: { "X-CSRF-Token": csrf(), "Content-Type": "application/octet-stream" } });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.detail || String(response.status));
    return data;
  }

  function show(text) {
    box.value = running.before + text;
    box.dispatchEvent(new Event("input", { bubbles: true }));
  }

  async function start() {
    const { stream } = await post("/console/speech", null);
    const media = await navigator.mediaDevices.getUserMedia({ audio: true });
    const context = new AudioContext({ sampleRate: 16000 });
    const source = context.createMediaStreamSource(media);
    const node = context.createScriptProcessor(4096, 1, 1);
    running = { stream, media, context, node, before: box.value ? box.value + "\n" : "", chunks: [], busy: false };
    node.onaudioprocess = (event) => {
      const samples = event.inputBuffer.getChannelData(0);
      const pcm = new Int16Array(samples.length);
      for (let i = 0; i < samples.length; i++) pcm[i] = Math.max(-1, Math.min(1, samples[i])) * 0x7fff;
      running.chunks.push(pcm);
    };
    source.connect(node);
    node.connect(context.destination);
    running.timer = setInterval(flush, 250);
    toggle.setAttribute("aria-pressed", "true");
  }

  async function flush(last = false) {
    if (!running || (running.busy && !last)) return;
    const chunks = running.chunks.splice(0);
    const size = chunks.reduce((n, c) => n + c.length, 0);
    const pcm = new Int16Array(size);
    let at = 0;
    for (const c of chunks) { pcm.set(c, at); at += c.length; }
    running.busy = true;
    try {
      const { text } = await post(`/console/speech/${running.stream}${last ? "?last=true" : ""}`, pcm.buffer);
      if (text !== undefined) show(text);
    } catch (error) {
      state.textContent = error.message;
    } finally {
      if (running) running.busy = false;
    }
  }

  async function stop() {
    clearInterval(running.timer);
    running.node.disconnect();
    running.media.getTracks().forEach((track) => track.stop());
    await flush(true);
    running.context.close();
    running = null;
    toggle.setAttribute("aria-pressed", "false");
  }

  toggle.addEventListener("click", async () => {
    try {
      if (running) await stop(); else await start();
    } catch (error) {
      state.textContent = error.message;
      running = null;
    }
  });
})();
