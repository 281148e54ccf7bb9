package io.ringkv.sim.raft;

import io.ringkv.raft.Message;

/**
 * Short fixed-format text of Raft messages for the trace: one line per send, so it is kept terse
 * ({@code AE 1>2 t3 p5/3 n2 c4}: append from 1 to 2 in term 3 after index 5 of term 3, two entries,
 * leader commit 4).
 *
 * <p>Stateless and thread-safe.
 */
final class RaftText {
  private RaftText() {}

  static String message(Message message) {
    String route = " " + message.from() + ">" + message.to() + " t" + message.term();
    return switch (message) {
      case Message.VoteRequest m ->
          (m.preVote() ? "PV" : "V")
              + route
              + " l"
              + m.lastLogIndex()
              + "/"
              + m.lastLogTerm()
              + (m.leadershipTransfer() ? " transfer" : "");
      case Message.VoteResponse m ->
          (m.preVote() ? "PVR" : "VR") + route + (m.granted() ? " yes" : " no");
      case Message.AppendEntries m ->
          "AE"
              + route
              + " p"
              + m.prevLogIndex()
              + "/"
              + m.prevLogTerm()
              + " n"
              + m.entries().size()
              + " c"
              + m.leaderCommit();
      case Message.AppendResponse m ->
          "AR"
              + route
              + (m.success()
                  ? " ok " + m.index()
                  : " no " + m.index() + " h" + m.hintIndex() + "/" + m.hintTerm());
      case Message.Heartbeat m -> "HB" + route + " c" + m.commit() + " r" + m.readRound();
      case Message.HeartbeatResponse m -> "HR" + route + " r" + m.readRound();
      case Message.InstallSnapshot m ->
          "IS" + route + " s" + m.snapshot().index() + "/" + m.snapshot().term();
      case Message.TimeoutNow m -> "TN" + route;
      case Message.ReadIndexRequest m -> "RI" + route + " q" + m.requestId();
      case Message.ReadIndexResponse m -> "RIR" + route + " q" + m.requestId() + " i" + m.index();
    };
  }
}
