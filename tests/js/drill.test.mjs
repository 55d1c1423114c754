// The drill script against a fake server, presenter and view.
import assert from "node:assert/strict";
import { test } from "node:test";

import { Drill } from "../../static/js/drill.js";
import { ConnectionLost } from "../../static/js/net.js";

/** A scripted server: answers each sent message from a handler; can drop the line. */
class FakeConnection {
  constructor(handler) {
    this.handler = handler;
    this.sent = [];
    this.inbox = [];
    this.isOpen = false;
    this.opens = 0;
  }
  async open(options = {}) {
    this.opens += 1;
    this.openedWith = options;
    this.isOpen = true;
  }
  send(message) {
    if (!this.isOpen) throw new ConnectionLost("closed");
    this.sent.push(message);
    const replies = this.handler(message, this);
    if (replies === "drop") {
      this.isOpen = false;
      return;
    }
    this.inbox.push(...replies);
  }
  async receive() {
    if (this.inbox.length) return this.inbox.shift();
    throw new ConnectionLost("closed");
  }
  async ask(message) {
    this.send(message);
    return this.receive();
  }
}

const presenter = {
  measureRefresh: async () => 16.7,
  present: async (trial) => ({
    framesShown: trial.exposureFrames, requestedFrames: trial.exposureFrames, refreshMs: 16.7, maxGapMs: 17,
    flagReason: null, flagged: false, showTs: 1000, hideTs: 1050, maskEndTs: 1600, periodMs: 16.7,
  }),
};

function fakeView(answers) {
  const log = [];
  return {
    log,
    showStarted: (started) => log.push(`started ${started.correct ?? 0}`),
    showTrial: (trial) => log.push(`trial ${trial.position}`),
    showVoided: async () => log.push("one more face"),
    waitForAnswer: async () => ({ answer: answers.shift() ?? "fear", at: 2100 }),
    showResult: async (result) => log.push(`result ${result.correct}`),
    showSummary: (summary) => log.push(`summary ${summary.correct}`),
    notice: (text) => log.push(`notice ${text}`),
    showReconnecting: (trying) => log.push(`reconnecting ${trying}`),
  };
}

/** A two-trial drill server; `dropAfterAnswer` hangs up after storing the first answer. */
function twoTrialServer({ dropAfterAnswer = false } = {}) {
  let answered = 0;
  let dropped = false;
  const trial = (position) => ({ type: "trial", trialId: `t${position}`, position, total: 2, exposureFrames: 3 });
  return (message) => {
    switch (message.type) {
      case "hello":
        return [{ type: "welcome", activeDrill: answered ? { id: "d1", answered, total: 2 } : null }];
      case "start":
      case "resume":
        return [{ type: "started", drillId: "d1" }, trial(answered + 1)];
      case "answer":
        answered += 1;
        if (dropAfterAnswer && !dropped) {
          dropped = true;
          return "drop";
        }
        return answered === 2
          ? [{ type: "result", scored: true, correct: true, done: true }, { type: "summary", correct: 2 }]
          : [{ type: "result", scored: true, correct: true, done: false }];
      case "next":
        return [trial(answered + 1)];
      default:
        return [{ type: "error", code: "unknown_type", message: "?" }];
    }
  };
}

test("a drill sends measured frames and reaction time, then ends on the summary", async () => {
  const connection = new FakeConnection(twoTrialServer());
  const view = fakeView(["fear", "anger"]);
  const summary = await new Drill({ connection, presenter, view, wait: async () => {} }).play();
  assert.equal(summary.type, "summary");
  const answers = connection.sent.filter((m) => m.type === "answer");
  assert.deepEqual(answers.map((m) => m.answer), ["fear", "anger"]);
  assert.equal(answers[0].framesShown, 3);
  assert.equal(answers[0].reactionMs, 500); // from the end of the mask, not from the flash
  // The last answer gets its feedback before the summary replaces it.
  assert.deepEqual(view.log, ["started 0", "trial 1", "result true", "trial 2", "result true", "summary 2"]);
});

test("the drill is remembered from its start to its summary, so that a reload can name it", async () => {
  const connection = new FakeConnection(twoTrialServer());
  const remembered = [];
  const drill = new Drill({ connection, presenter, view: fakeView([]), wait: async () => {}, remember: (id) => remembered.push(id) });
  await drill.play();
  assert.deepEqual(remembered, ["d1", null]);
});

test("a dropped connection reconnects and resumes where the server says", async () => {
  const connection = new FakeConnection(twoTrialServer({ dropAfterAnswer: true }));
  const view = fakeView([]);
  const summary = await new Drill({ connection, presenter, view, wait: async () => {} }).play();
  assert.equal(summary.correct, 2);
  assert.equal(connection.opens, 2);
  assert.deepEqual(connection.openedWith, { resume: "d1" }); // a full server still lets it back into its drill
  const resume = connection.sent.find((m) => m.type === "resume");
  assert.deepEqual(resume, { type: "resume", drillId: "d1", refreshMs: 16.7 });
  assert.ok(view.log.includes("reconnecting true"));
  assert.deepEqual(view.log.filter((l) => l.startsWith("trial")), ["trial 1", "trial 2"]);
});

test("an error reply to an answer is shown and the drill asks for the next trial", async () => {
  let first = true;
  const base = twoTrialServer();
  const connection = new FakeConnection((message, conn) => {
    if (message.type === "answer" && first) {
      first = false;
      return [{ type: "error", code: "trial_expired", message: "That trial timed out." }];
    }
    return base(message, conn);
  });
  const view = fakeView([]);
  await new Drill({ connection, presenter, view, wait: async () => {} }).play();
  assert.ok(view.log.includes("notice That trial timed out."));
});

test("a voided flash is replayed quietly: no feedback, no tap, the next face comes", async () => {
  let voided = false;
  const base = twoTrialServer();
  const connection = new FakeConnection((message, conn) => {
    if (message.type === "answer" && !voided) {
      voided = true;
      return [{ type: "result", scored: false, correct: false, replay: true, done: false }];
    }
    if (message.type === "next" && voided && !conn.replayed) {
      conn.replayed = true;
      return [{ type: "trial", trialId: "t1b", position: 1, total: 2, exposureFrames: 3 }];
    }
    return base(message, conn);
  });
  const view = fakeView([]);
  await new Drill({ connection, presenter, view, wait: async () => {} }).play();
  assert.deepEqual(view.log.slice(0, 4), ["started 0", "trial 1", "one more face", "trial 1"]);
});

test("a resumed drill shows the score it already has", async () => {
  const connection = new FakeConnection((message) => {
    if (message.type === "hello") return [{ type: "welcome", activeDrill: null }];
    if (message.type === "resume") {
      return [{ type: "started", drillId: "d1", answered: 3, correct: 3 }, { type: "trial", trialId: "t4", position: 4, total: 4 }];
    }
    return [{ type: "result", scored: true, correct: true, done: true }, { type: "summary", correct: 4 }];
  });
  const view = fakeView([]);
  await new Drill({ connection, presenter, view, wait: async () => {} }).play({ resumeId: "d1" });
  assert.equal(view.log[0], "started 3");
});
