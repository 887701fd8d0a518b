// 视频报警 (the seat): answer the caller's offer, see and hear them, take snapshots into the incident, ask them to
// film the scene. Starts whenever a #video-desk appears (the call console's contact panel, or its own page).
(() => {
  const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content || "";
  const ENGLISH = document.documentElement.lang === "en";

  function start(panel) {
    if (panel.dataset.started) return;
    panel.dataset.started = "1";
    const id = panel.dataset.contact;
    const video = panel.querySelector("#video-remote");
    const state = panel.querySelector("#video-state");
    const shots = panel.querySelector("#video-shots");
    const say = (zh, en) => { state.textContent = ENGLISH ? en : zh; };
    const pc = new RTCPeerConnection({ iceServers: [] });
    let after = 0;
    let live = true;
    const post = (url, body, type = "application/json") => fetch(url, { method: "POST", body, credentials: "same-origin",
      headers: { "Content-Type": type, "X-CSRF-Token": csrf() } });
    const send = (kind, body = {}) => post(`/console/contacts/${id}/signals`, JSON.stringify({ kind, body }));
    pc.ontrack = (e) => { video.srcObject = e.streams[0]; say("视频已接通", "Video connected"); };
    pc.onicecandidate = (e) => { if (e.candidate) send("candidate", e.candidate.toJSON()); };

    async function poll() {
      while (live && document.body.contains(panel)) {
        const response = await fetch(`/console/contacts/${id}/signals?after=${after}`, { credentials: "same-origin" });
        if (response.ok) {
          const data = await response.json();
          for (const s of data.signals) {
            after = s.id;
            if (s.kind === "offer") {
              try {
                const mic = await navigator.mediaDevices.getUserMedia({ audio: true });
                mic.getTracks().forEach((t) => pc.addTrack(t, mic));
              } catch (error) { /* no microphone here: the caller is still seen and heard */ }
              await pc.setRemoteDescription(s.body);
              await pc.setLocalDescription(await pc.createAnswer());
              await send("answer", { type: pc.localDescription.type, sdp: pc.localDescription.sdp });
            } else if (s.kind === "candidate") await pc.addIceCandidate(s.body).catch(() => {});
          }
          if (data.state === "ended" || data.state === "abandoned") { live = false; say("报警人已挂断", "The caller has hung up"); }
        }
        await new Promise((r) => setTimeout(r, 400));
      }
      pc.close();
    }

    panel.querySelector("#video-snapshot").addEventListener("click", async () => {
      if (!video.videoWidth) return say("还没有画面", "No picture yet");
      const canvas = document.createElement("canvas");
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      canvas.getContext("2d").drawImage(video, 0, 0);
      const blob = await new Promise((r) => canvas.toBlob(r, "image/jpeg", 0.9));
      const label = panel.querySelector("#video-label").value;
      const response = await post(`/console/contacts/${id}/snapshot?label=${encodeURIComponent(label)}`, blob, "image/jpeg");
      const data = await response.json();
      shots.textContent = response.ok ? `${ENGLISH ? "Snapshot kept" : "已截图"}: ${label}` : data.detail;
      if (response.ok) shots.dataset.count = String(Number(shots.dataset.count || 0) + 1);
    });
    panel.querySelector("#video-film").addEventListener("click", () => {
      send("request", { text: ENGLISH ? "Please film the scene" : "请把镜头对准现场" });
      say("已请报警人拍摄现场", "Asked the caller to film the scene");
    });
    panel.querySelector("#video-hangup").addEventListener("click", () => { live = false; send("bye"); say("已挂断", "Hung up"); });
    poll();
  }

  const look = () => { const panel = document.getElementById("video-desk"); if (panel) start(panel); };
  document.addEventListener("htmx:afterSwap", look);
  look();
})();
