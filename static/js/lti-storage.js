// LTI launches without third-party cookies: the 1EdTech platform-storage flow ("LTI Client
// Side postMessages"), on the two pages arguments/lti/storage.py renders in the LMS frame.
//
// login:  ask the platform what it supports (lti.capabilities), keep the state and the nonce
//         in its storage (lti.put_data), then go on to its auth URL. No answer, or a refusal:
//         the cookie flow instead (the same login without lti_storage_target).
// launch: read the state and the nonce back (lti.get_data) and post them with the launch;
//         the server checks them (storage.vouch).
//
// Storage messages go only to the platform's origin (that of its auth URL, which our server
// signed into the state), and only answers from that origin count: another page that frames
// this one can neither read what is stored nor answer in the platform's place.
(function () {
  "use strict";

  const root = document.getElementById("lti-storage");
  if (!root) {
    return;
  }
  const data = root.dataset;
  // The spec's tools wait a moment, then fall back; a platform that offers storage answers
  // at once, but a busy learner's machine (or a CI runner) can take seconds to run its script.
  const WAIT_MS = 5000;
  const host = window.parent !== window ? window.parent : window.opener;

  function messageId() {
    const bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // Post `message` to `target` and wait for its answer: {subject}.response with the same id,
  // from `fromOrigin` (any origin for capabilities, which say only where to send the rest).
  function ask(target, targetOrigin, message, fromOrigin) {
    return new Promise((resolve, reject) => {
      const id = messageId();
      const subject = message.subject + ".response";
      const timer = window.setTimeout(() => done(null, new Error("no answer")), WAIT_MS);
      function done(answer, error) {
        window.clearTimeout(timer);
        window.removeEventListener("message", listen);
        if (error) {
          reject(error);
        } else {
          resolve(answer);
        }
      }
      function listen(event) {
        const answer = event.data;
        if (fromOrigin !== "*" && event.origin !== fromOrigin) {
          return;
        }
        if (!answer || typeof answer !== "object" || answer.subject !== subject) {
          return;
        }
        if (answer.message_id !== id) {
          return;
        }
        if (answer.error) {
          done(null, new Error(String(answer.error.code || "refused")));
        } else {
          done(answer, null);
        }
      }
      window.addEventListener("message", listen);
      target.postMessage(Object.assign({ message_id: id }, message), targetOrigin);
    });
  }

  function frameNamed(name) {
    if (!host) {
      return null;
    }
    if (name === "_parent") {
      return host;
    }
    try {
      return host.frames[name] || null;
    } catch (error) {
      return null;
    }
  }

  // The frame that handles `subject`: the one the platform's capabilities name, else the
  // lti_storage_target of its login (a platform may not answer lti.capabilities).
  async function storageFrame(subject) {
    if (!host) {
      throw new Error("no platform window");
    }
    let name = data.target;
    try {
      const capabilities = await ask(host, "*", { subject: "lti.capabilities" }, "*");
      const offers = Array.isArray(capabilities.supported_messages)
        ? capabilities.supported_messages
        : [];
      const offer = offers.find((item) => item && item.subject === subject);
      if (!offer) {
        throw new Error("the platform does not offer " + subject);
      }
      if (typeof offer.frame === "string" && /^[A-Za-z0-9_.-]{1,64}$/.test(offer.frame)) {
        name = offer.frame;
      }
    } catch (error) {
      if (!/no answer/.test(error.message)) {
        throw error;
      }
    }
    const frame = frameNamed(name);
    if (!frame) {
      throw new Error("no storage frame " + name);
    }
    return frame;
  }

  async function login() {
    const frame = await storageFrame("lti.put_data");
    for (const [key, value] of [
      ["state_" + data.state, data.state],
      ["nonce_" + data.nonce, data.nonce],
    ]) {
      await ask(frame, data.origin, { subject: "lti.put_data", key, value }, data.origin);
    }
    window.location.assign(data.next);
  }

  async function launch() {
    const frame = await storageFrame("lti.get_data");
    const form = document.getElementById("lti-storage-form");
    const read = async (key) => {
      const answer = await ask(frame, data.origin, { subject: "lti.get_data", key }, data.origin);
      return typeof answer.value === "string" ? answer.value : "";
    };
    form.elements.lti_storage_state.value = await read("state_" + data.state);
    form.elements.lti_storage_nonce.value = await read("nonce_" + data.nonce);
    form.submit();
  }

  // Not in a frame nor opened by the platform, nothing holds the values: storageFrame fails.
  if (data.step === "login") {
    login().catch(() => window.location.replace(data.fallback));
  } else {
    launch().catch(() => {
      document.getElementById("lti-storage-waiting").hidden = true;
      document.getElementById("lti-storage-failed").hidden = false;
    });
  }
})();
