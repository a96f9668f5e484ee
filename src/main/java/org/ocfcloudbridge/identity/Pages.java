package org.ocfcloudbridge.identity;

import org.ocfcloudbridge.ocf.Protocol;

import java.util.Map;

/** The login, consent and error pages: plain HTML forms, every dynamic value escaped. */
final class Pages {

    private static final Map<String, String> SCOPE_TEXT = Map.of(
            Protocol.Scopes.READ, "see your devices and their resources, and receive their events",
            Protocol.Scopes.WRITE, "change your devices' resources",
            "openid", "know your user id");

    private Pages() {
    }

    /**
     * The login page says where the user signs in (this cloud's host) and for whom: the bridge's own page, or another
     * client that will then ask what it may do (an Origin Cloud linking the account, typically).
     */
    static String login(OAuthService.PendingAuthorization p, String message, String place, boolean firstParty) {
        String who = firstParty
                ? "<p id=\"purpose\">Sign in to the bridge's web page.</p>"
                : "<p id=\"purpose\"><strong>%s</strong> wants to use your account here. After you sign in it asks what it may do "
                        .formatted(esc(p.clientId())) + "with your devices, and you decide.</p>";
        return page("Sign in", """
                <h1>Sign in to the OCF Cloud at <span id="place">%s</span></h1>
                %s
                %s
                <form method="post" action="%s">
                  <input type="hidden" name="request" value="%s">
                  <label>User name <input name="username" id="username" autocomplete="username" required autofocus></label>
                  <label>Password <input name="password" id="password" type="password" autocomplete="current-password" required></label>
                  <button type="submit" id="login">Sign in</button>
                </form>
                """.formatted(esc(place), who, message == null ? "" : "<p class=\"error\" id=\"error\">" + esc(message) + "</p>",
                Protocol.HttpPaths.LOGIN, esc(p.requestId())));
    }

    static String consent(OAuthService.PendingAuthorization p, String username, String place) {
        StringBuilder items = new StringBuilder();
        for (String s : p.scopes()) {
            items.append("<li><code>").append(esc(s)).append("</code>: ")
                    .append(esc(SCOPE_TEXT.getOrDefault(s, "the permission " + s))).append("</li>\n");
        }
        return page("Allow access?", """
                <h1>Allow access?</h1>
                <p>You are signed in as <strong id="account">%s</strong> at the OCF Cloud at <strong>%s</strong>.</p>
                <p><strong id="client">%s</strong> asks to:</p>
                <ul id="scopes">
                %s</ul>
                <p>It keeps this access until you unlink it there or it is revoked here.</p>
                <form method="post" action="%s">
                  <input type="hidden" name="request" value="%s">
                  <button type="submit" name="consent" value="allow" id="allow">Allow</button>
                  <button type="submit" name="consent" value="deny" id="deny">Deny</button>
                </form>
                """.formatted(esc(username), esc(place), esc(p.clientId()), items, Protocol.HttpPaths.CONSENT, esc(p.requestId())));
    }

    static String error(String message) {
        return page("Cannot continue", "<h1>Cannot continue</h1>\n<p class=\"error\" id=\"error\">" + esc(message) + "</p>\n");
    }

    private static String page(String title, String body) {
        return """
                <!doctype html>
                <html lang="en">
                <head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
                <title>%s · OCF Cloud Bridge</title>
                <style>body{font-family:sans-serif;max-width:28em;margin:3em auto;line-height:1.5}
                label{display:block;margin:.6em 0}input{display:block;width:100%%;padding:.3em}
                button{margin:.8em .5em 0 0;padding:.4em 1.2em}.error{color:#a00}</style></head>
                <body>
                %s</body>
                </html>
                """.formatted(esc(title), body);
    }

    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
