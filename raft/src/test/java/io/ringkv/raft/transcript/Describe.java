package io.ringkv.raft.transcript;

import io.ringkv.raft.Configuration;
import io.ringkv.raft.Entry;
import io.ringkv.raft.EntryType;
import io.ringkv.raft.Message;
import io.ringkv.raft.Message.AppendEntries;
import io.ringkv.raft.Message.AppendResponse;
import io.ringkv.raft.Message.Heartbeat;
import io.ringkv.raft.Message.HeartbeatResponse;
import io.ringkv.raft.Message.InstallSnapshot;
import io.ringkv.raft.Message.ReadIndexRequest;
import io.ringkv.raft.Message.ReadIndexResponse;
import io.ringkv.raft.Message.TimeoutNow;
import io.ringkv.raft.Message.VoteRequest;
import io.ringkv.raft.Message.VoteResponse;
import io.ringkv.raft.Snapshot;
import io.ringkv.raft.Status;
import io.ringkv.raft.Submission;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** One-line descriptions of Raft values for transcripts: short, stable, readable as a spec. */
final class Describe {
  private Describe() {}

  static String entry(Entry entry) {
    String body =
        entry.type() == EntryType.CONFIGURATION
            ? "conf " + Configuration.decode(entry.data())
            : "\"" + new String(entry.data(), StandardCharsets.UTF_8) + "\"";
    return entry.term() + "/" + entry.index() + " " + body;
  }

  static String entries(List<Entry> entries) {
    List<String> parts = new ArrayList<>();
    for (Entry entry : entries) {
      parts.add(entry(entry));
    }
    return "[" + String.join(", ", parts) + "]";
  }

  static String snapshot(Snapshot snapshot) {
    return snapshot.term()
        + "/"
        + snapshot.index()
        + " "
        + snapshot.configuration()
        + " data=\""
        + new String(snapshot.data(), StandardCharsets.UTF_8)
        + "\"";
  }

  static String message(Message message) {
    String head = message.from() + "->" + message.to() + " ";
    String body =
        switch (message) {
          case VoteRequest m ->
              (m.preVote() ? "PreVote" : "Vote")
                  + " term="
                  + m.term()
                  + " last="
                  + m.lastLogTerm()
                  + "/"
                  + m.lastLogIndex()
                  + (m.leadershipTransfer() ? " transfer" : "");
          case VoteResponse m ->
              (m.preVote() ? "PreVoteResponse" : "VoteResponse")
                  + " term="
                  + m.term()
                  + (m.granted() ? " granted" : " rejected");
          case AppendEntries m ->
              "Append term="
                  + m.term()
                  + " prev="
                  + m.prevLogTerm()
                  + "/"
                  + m.prevLogIndex()
                  + " commit="
                  + m.leaderCommit()
                  + (m.entries().isEmpty() ? "" : " entries=" + entries(m.entries()));
          case AppendResponse m ->
              "AppendResponse term="
                  + m.term()
                  + (m.success()
                      ? " ok index=" + m.index()
                      : " reject index="
                          + m.index()
                          + " hint="
                          + m.hintTerm()
                          + "/"
                          + m.hintIndex());
          case Heartbeat m ->
              "Heartbeat term="
                  + m.term()
                  + " commit="
                  + m.commit()
                  + (m.readRound() == 0 ? "" : " read-round=" + m.readRound());
          case HeartbeatResponse m ->
              "HeartbeatResponse term="
                  + m.term()
                  + (m.readRound() == 0 ? "" : " read-round=" + m.readRound());
          case InstallSnapshot m ->
              "InstallSnapshot term=" + m.term() + " snapshot=" + snapshot(m.snapshot());
          case TimeoutNow m -> "TimeoutNow term=" + m.term();
          case ReadIndexRequest m -> "ReadIndexRequest term=" + m.term() + " id=" + m.requestId();
          case ReadIndexResponse m ->
              "ReadIndexResponse term=" + m.term() + " id=" + m.requestId() + " index=" + m.index();
        };
    return head + body;
  }

  static String submission(Submission submission) {
    return switch (submission) {
      case Submission.Accepted accepted ->
          accepted.index() == 0
              ? "accepted"
              : "accepted at " + accepted.term() + "/" + accepted.index();
      case Submission.Rejected rejected ->
          "rejected: "
              + rejected.reason()
              + (rejected.leader() == 0 ? "" : " (leader " + rejected.leader() + ")");
    };
  }

  static String status(Status status) {
    StringBuilder text = new StringBuilder();
    text.append(status.id())
        .append(' ')
        .append(status.role())
        .append(" term=")
        .append(status.term())
        .append(" vote=")
        .append(status.vote())
        .append(" leader=")
        .append(status.leader())
        .append(" first=")
        .append(status.firstIndex())
        .append(" last=")
        .append(status.lastTerm())
        .append('/')
        .append(status.lastIndex())
        .append(" commit=")
        .append(status.commit())
        .append(" applied=")
        .append(status.applied())
        .append(' ')
        .append(status.configuration());
    if (status.leadershipTransferee() != 0) {
      text.append(" transferring-to=").append(status.leadershipTransferee());
    }
    text.append('\n');
    for (Map.Entry<Long, Status.MemberProgress> member : status.progress().entrySet()) {
      Status.MemberProgress p = member.getValue();
      text.append("  ")
          .append(member.getKey())
          .append(": ")
          .append(p.state())
          .append(" match=")
          .append(p.match())
          .append(" next=")
          .append(p.next())
          .append(p.paused() ? " paused" : "")
          .append(p.inflightAppends() == 0 ? "" : " inflight=" + p.inflightAppends())
          .append('\n');
    }
    return text.toString();
  }
}
