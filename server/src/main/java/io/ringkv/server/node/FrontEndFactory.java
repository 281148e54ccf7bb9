package io.ringkv.server.node;

import io.ringkv.server.FrontEnd;
import io.ringkv.server.cluster.ClusterStatusSource;
import io.ringkv.server.config.NodeConfig;
import io.ringkv.server.kv.KeyValueService;
import io.ringkv.server.metrics.NodeMetrics;

/**
 * Makes one front end of a node, not yet started. The node calls it once per start, after the
 * storage is open, and only when the front end's section is enabled; it then calls {@link
 * FrontEnd#start()} itself, and {@link FrontEnd#close()} when the node stops or a later start step
 * fails.
 */
@FunctionalInterface
public interface FrontEndFactory {

  /**
   * A new front end serving {@code service}.
   *
   * @param config the whole node configuration (the front end's own section, the limits, the node
   *     id for INFO-style answers)
   * @param service what every request is answered by
   * @param metrics where requests are counted and timed
   * @param cluster the node's view of the cluster, for status routes
   */
  FrontEnd create(
      NodeConfig config, KeyValueService service, NodeMetrics metrics, ClusterStatusSource cluster);
}
