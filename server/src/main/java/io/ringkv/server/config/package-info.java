/**
 * The node's configuration: {@link io.ringkv.server.config.NodeConfig} and its section records,
 * loaded by {@link io.ringkv.server.config.ConfigLoader} from {@code conf/ringkv.yaml}, {@code
 * RINGKV_*} environment variables and {@code --set} flags, checked against the option list of
 * {@link io.ringkv.server.config.ConfigSchema}. See docs/configuration.md.
 */
package io.ringkv.server.config;
