// "Play all": replays a session in order, your recording then the reply, turn by turn.
// The only script on the site; every recording also plays on its own without it.
(function () {
  "use strict";
  var button = document.getElementById("play-all");
  var status = document.getElementById("play-all-status");
  var clips = Array.prototype.slice.call(document.querySelectorAll("audio.seq"));
  if (!button || clips.length === 0) { return; }
  var hint = document.getElementById("play-all-hint");
  button.hidden = false;
  if (hint) { hint.hidden = false; }
  var index = -1;
  var playing = false;

  function say(text) { if (status) { status.textContent = text; } }

  function stop() {
    playing = false;
    clips.forEach(function (clip) { clip.pause(); });
    button.textContent = "▶ Play all";
    button.setAttribute("aria-pressed", "false");
  }

  function next() {
    index += 1;
    if (!playing || index >= clips.length) { stop(); say("Finished."); return; }
    var clip = clips[index];
    clip.closest(".turn").scrollIntoView({ block: "nearest" });
    clip.currentTime = 0;
    var started = clip.play();
    if (started && started.catch) { started.catch(next); }  // a reply with no voice is skipped
  }

  clips.forEach(function (clip) {
    clip.addEventListener("ended", function () { if (playing && clips[index] === clip) { next(); } });
    clip.addEventListener("error", function () { if (playing && clips[index] === clip) { next(); } });
  });

  button.addEventListener("click", function () {
    if (playing) { stop(); say("Stopped."); return; }
    playing = true;
    index = -1;
    button.textContent = "■ Stop";
    button.setAttribute("aria-pressed", "true");
    say("Playing the whole session.");
    next();
  });
})();
