/** ringkv cluster: see this module's README.md for what it owns and what it may depend on. */
package io.ringkv.cluster;
