// 视频报警 (caller): camera and microphone to the call-taker over WebRTC; the offer, the answer and the candidates
// go through lifeline (no outside STUN or TURN). The call-taker may ask to film the scene: the rear camera then.
(() => {
  const form = document.getElementById("alarm-form");
  const state = document.getElementById("alarm-state");
  const request = document.getElementById("alarm-request");
  const self = document.getElementById("alarm-self");
  const hangup = document.getElementById("alarm-hangup");
  const ENGLISH = document.documentElement.lang === "en";
  const say = (zh, en) => { state.textContent = ENGLISH ? en : zh; };
  let call = null;

  async function send(kind, body = {}) {
    await fetch(`/alarm/calls/${call.id}/signals`, { method: "POST", body: JSON.stringify({ kind, body }),
      headers: { "Content-Type": "application/json", "X-Alarm-Secret": call.secret } });
  }

  function where() {
    return new Promise((resolve) => {
      if (!navigator.geolocation) return resolve({});
      navigator.geolocation.getCurrentPosition(
        (p) => resolve({ lat: p.coords.latitude, lon: p.coords.longitude, accuracy_m: p.coords.accuracy }),
        () => resolve({}), { timeout: 3000, maximumAge: 60000 });
    });
  }

  async function poll() {
    while (call) {
      const response = await fetch(`/alarm/calls/${call.id}/signals?after=${call.after}`,
        { headers: { "X-Alarm-Secret": call.secret } });
      if (response.ok) {
        const data = await response.json();
        for (const s of data.signals) {
          call.after = s.id;
          if (s.kind === "answer") { await call.pc.setRemoteDescription(s.body); say("已接通，请说明情况", "Connected: tell us what happened"); }
          else if (s.kind === "candidate") await call.pc.addIceCandidate(s.body).catch(() => {});
          else if (s.kind === "request") await film(s.body.text || "");
          else if (s.kind === "bye") return end("接警员已挂断", "The call-taker has hung up");
        }
        if (data.state === "ended") return end("通话已结束", "The call has ended");
      }
      await new Promise((r) => setTimeout(r, 400));
    }
  }

  async function film(text) {
    request.hidden = false;
    request.textContent = text || (ENGLISH ? "Please film the scene" : "请拍摄现场");
    try {
      const rear = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
      const track = rear.getVideoTracks()[0];
      const sender = call.pc.getSenders().find((s) => s.track && s.track.kind === "video");
      if (sender) await sender.replaceTrack(track);
      self.srcObject = new MediaStream([track]);
    } catch (error) { /* one camera only: keep filming with it */ }
  }

  function end(zh, en) {
    if (!call) return;
    call.pc.close();
    call.media.getTracks().forEach((t) => t.stop());
    call = null;
    hangup.hidden = true;
    say(zh, en);
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (call) return;
    say("正在打开摄像头…", "Opening the camera…");
    const media = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
    self.srcObject = media;
    const body = { address: form.address.value, ...(await where()) };
    if (form.number.value) body.number = form.number.value;
    const response = await fetch("/alarm/calls", { method: "POST", body: JSON.stringify(body),
      headers: { "Content-Type": "application/json" } });
    const started = await response.json();
    if (!response.ok) { media.getTracks().forEach((t) => t.stop()); return say(started.detail, started.detail); }
    const pc = new RTCPeerConnection({ iceServers: [] });
    call = { id: started.contact_id, secret: started.secret, pc, media, after: 0 };
    media.getTracks().forEach((track) => pc.addTrack(track, media));
    pc.ontrack = (e) => { document.getElementById("alarm-desk").srcObject = e.streams[0]; };
    pc.onicecandidate = (e) => { if (e.candidate) send("candidate", e.candidate.toJSON()); };
    await pc.setLocalDescription(await pc.createOffer());
    await send("offer", { type: pc.localDescription.type, sdp: pc.localDescription.sdp });
    hangup.hidden = false;
    say("正在呼叫 110 接警员…", "Calling a 110 call-taker…");
    poll();
  });

  hangup.addEventListener("click", async () => {
    if (call) await send("bye");
    end("已挂断", "Hung up");
  });
})();
