/**
 * The node's lifecycle: {@link io.ringkv.server.node.Node} starts and stops one node (directory
 * lock, storage engine, key-value service, metrics, front ends); {@link
 * io.ringkv.server.node.NodeWiring} says which front ends it runs; {@link
 * io.ringkv.server.node.NodeRunner} runs nodes in the foreground until SIGTERM or SIGINT.
 */
package io.ringkv.server.node;
