package org.ocfcloudbridge.ops;

import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.impl.VertxInternal;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;
import org.ocfcloudbridge.config.BridgeConfigException;
import org.ocfcloudbridge.origin.console.Demo;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The one outbound address policy for every call the daemon makes on someone's behalf: notifications to a
 * subscription's {@code eventsUrl}, the Origin's webhooks, and every call into a linked cloud. A URL's host is resolved
 * here and the address it resolves to is judged by {@link AddressPolicy}; {@link OutboundHttp} then connects to exactly
 * that address, so a name that resolves elsewhere a moment later (DNS rebinding) cannot slip past the check.
 */
@ApplicationScoped
public class OutboundPolicy {

    public static final String SETTING = "bridge.outbound.allowed-networks";
    private static final Logger LOG = Logger.getLogger(OutboundPolicy.class);
    private static final long RESOLVE_WAIT_SECONDS = 10;
    private static final String UNRESOLVED = "names a host that does not resolve to an address";
    private static final String BY_POLICY = "refused by the outbound address policy (" + SETTING + ")";

    /**
     * A URL the policy refuses. The message is said of the URL without naming it ("resolves to a loopback address,
     * refused by …"), so callers put the URL's role or host in front.
     */
    public static final class Refused extends RuntimeException {
        private final boolean unresolved;

        public Refused(String message) {
            this(message, false);
        }

        Refused(String message, boolean unresolved) {
            super(message, null, false, false);
            this.unresolved = unresolved;
        }

        /** The host named no address (now): nothing was judged, and asking again later may go otherwise. */
        public boolean unresolved() {
            return unresolved;
        }
    }

    private final Vertx vertx;
    private final AddressPolicy policy;

    public OutboundPolicy(OutboundConfig config, Demo.DemoConfig demo, Vertx vertx) {
        this.vertx = vertx;
        List<Cidr> allowed = new ArrayList<>();
        for (String n : config.allowedNetworks().orElse(List.of())) {
            if (n.isBlank()) {
                continue;
            }
            try {
                allowed.add(Cidr.parse(n));
            } catch (IllegalArgumentException e) {
                throw new BridgeConfigException(SETTING, "cannot be read: " + e.getMessage());
            }
        }
        if (demo.enabled()) {
            // The demo links this daemon to itself over loopback.
            allowed.add(Cidr.parse("127.0.0.0/8"));
            allowed.add(Cidr.parse("::1/128"));
        }
        this.policy = new AddressPolicy(allowed);
    }

    /**
     * Reads the setting at start, so a bad network stops the daemon with the key in the message; first of all, so that
     * the message is the only line (as for every other setting).
     */
    void check(@Observes @Priority(0) StartupEvent event) {
        if (!policy.allowed().isEmpty()) {
            LOG.infof("outbound calls may also reach %s (%s)", policy.allowed(), SETTING);
        }
    }

    public AddressPolicy policy() {
        return policy;
    }

    /**
     * The address to connect to for {@code url}: its host resolved and judged. Fails with {@link Refused} (never
     * anything else) when the URL may not be called or its host does not resolve.
     */
    public CompletionStage<InetAddress> destination(String url) {
        URI uri;
        AddressPolicy.Host host;
        try {
            uri = new URI(url);
            String authority = uri.getRawAuthority();
            // Read from the authority: java.net.URI gives no host (nor user information) for 0x7f.1 or 127.1.
            if (authority != null && authority.indexOf('@') >= 0) {
                return refused("holds user information (user:password@), " + BY_POLICY);
            }
            host = AddressPolicy.host(hostOf(authority));
        } catch (URISyntaxException e) {
            return refused("cannot be read as a URL");
        } catch (IllegalArgumentException e) {
            return refused(e.getMessage() + ", " + BY_POLICY);
        }
        if (host instanceof AddressPolicy.Literal l) {
            return judged(l.address());
        }
        CompletableFuture<InetAddress> resolved = new CompletableFuture<>();
        ((VertxInternal) vertx).resolveAddress(((AddressPolicy.Name) host).name(), r -> {
            if (r.succeeded()) {
                resolved.complete(r.result());
            } else {
                resolved.completeExceptionally(new Refused(UNRESOLVED, true));
            }
        });
        return resolved.thenCompose(a -> judged(a.getAddress()));
    }

    /**
     * {@link #destination} for a URL given in a request, on a thread that may block.
     *
     * @throws Refused with a message that begins with {@code what} (e.g. {@code eventsUrl})
     */
    public void check(String what, String url) {
        try {
            destination(url).toCompletableFuture().get(RESOLVE_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Refused r) {
                throw new Refused(what + " " + r.getMessage(), r.unresolved());
            }
            throw new Refused(what + " " + UNRESOLVED, true);
        } catch (TimeoutException e) {
            throw new Refused(what + " names a host that did not resolve in time", true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Refused(what + " was not checked (interrupted)");
        }
    }

    private CompletionStage<InetAddress> judged(byte[] address) {
        return policy.refusal(address)
                .<CompletionStage<InetAddress>>map(why -> refused("resolves to " + why + ", " + BY_POLICY))
                .orElseGet(() -> {
                    try {
                        // Without a name attached, so that nothing downstream resolves it again.
                        return CompletableFuture.completedFuture(InetAddress.getByAddress(address));
                    } catch (UnknownHostException e) {
                        return CompletableFuture.failedFuture(new Refused(UNRESOLVED, true));
                    }
                });
    }

    /**
     * Why {@code url} is refused when that can be told without asking DNS (an address literal, a spelling, user
     * information), for settings checked at start; empty for a name, whose address is judged at each call.
     */
    public Optional<String> refusalWithoutLookup(String url) {
        try {
            String authority = new URI(url).getRawAuthority();
            if (authority != null && authority.indexOf('@') < 0
                    && AddressPolicy.host(hostOf(authority)) instanceof AddressPolicy.Name) {
                return Optional.empty();
            }
        } catch (URISyntaxException | IllegalArgumentException e) {
            // destination says why
        }
        CompletableFuture<InetAddress> judged = destination(url).toCompletableFuture();
        if (judged.isCompletedExceptionally()) {
            try {
                judged.join();
            } catch (java.util.concurrent.CompletionException e) {
                return Optional.of(e.getCause() == null ? "is refused" : e.getCause().getMessage());
            }
        }
        return Optional.empty();
    }

    /** The host of an authority without user information: {@code [v6]} kept in brackets, the port cut off. */
    static String hostOf(String authority) {
        if (authority == null) {
            return null;
        }
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            return close < 0 ? authority : authority.substring(0, close + 1);
        }
        int colon = authority.lastIndexOf(':');
        return colon >= 0 && authority.substring(colon + 1).chars().allMatch(c -> c >= '0' && c <= '9') ? authority.substring(0, colon) : authority;
    }

    private static CompletionStage<InetAddress> refused(String message) {
        return CompletableFuture.failedFuture(new Refused(message));
    }
}
