/// The administrator's pages: the lists, one list's editor, bans and reputation, statistics,
/// and `qsentry check`'s findings.
enum ListsPage {
    static let template = """
        <table><tr><th>List</th><th>What it does</th><th class="wide">Lines</th></tr>
        {{#lists}}<tr><td><a href="/lists/{{name}}">{{name}}</a></td><td>{{purpose}}</td><td class="wide">{{lines}}</td></tr>{{/lists}}
        </table>

        """
}

enum ListEditPage {
    static let template = """
        <p class="muted">{{purpose}} · {{path}}{{#cdb}} · compiled to {{name}}.cdb on save{{/cdb}}</p>
        {{#hasProblems}}<ul class="problem">{{#problems}}<li>{{.}}</li>{{/problems}}</ul>{{/hasProblems}}
        <form method="post" action="/lists/{{name}}">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <textarea name="text" spellcheck="false" aria-label="{{name}}">{{text}}</textarea>
        <p><button type="submit">Check and save</button> <a href="/lists">back</a></p>
        </form>

        """
}

enum BansPage {
    static let template = """
        <form method="post" action="/bans" class="actions">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <input name="ip" placeholder="IP address" required aria-label="IP address">
        <input name="duration" placeholder="30m, 12h, 2d" aria-label="duration">
        <button name="action" value="add">Ban</button>
        </form>
        <table><tr><th>IP</th><th>Until (UTC)</th><th>Source</th><th></th></tr>
        {{#bans}}<tr><td><a href="/bans?ip={{ip}}">{{ip}}</a></td><td>{{until}}</td><td>{{source}}</td>
        <td><form method="post" action="/bans"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="ip" value="{{ip}}"><button name="action" value="remove">Lift</button></form></td></tr>{{/bans}}
        {{^bans}}<tr><td colspan="4">No bans in force.</td></tr>{{/bans}}
        </table>
        <h2>Reputation</h2>
        <form method="get" action="/bans" class="actions"><input name="ip" placeholder="IP address" value="{{query}}" aria-label="IP address"><button type="submit">Look up</button></form>
        {{#reputation}}<table>
        <tr><th>IP</th><td>{{ip}}</td></tr><tr><th>Status</th><td>{{status}}</td></tr>
        <tr><th>Reporters</th><td>{{reporters}}</td></tr><tr><th>Recent events</th><td>{{events}}</td></tr>
        </table>{{/reputation}}

        """
}

enum StatsConsolePage {
    static let template = """
        <p><a href="/stats?sort={{sort}}&amp;order={{order}}">Refresh</a> · {{logs}}</p>
        {{{charts}}}
        <h2>Connections by country</h2>
        <table><tr><th><a href="{{byCountry}}">Country</a></th><th><a href="{{byCount}}">Connections</a></th></tr>
        {{#countries}}<tr><td>{{code}}</td><td>{{count}}</td></tr>{{/countries}}
        {{^countries}}<tr><td colspan="2">No country seen (control/qsentry/geoip-db).</td></tr>{{/countries}}
        </table>

        """
}

enum CheckPage {
    static let template = """
        {{#hasProblems}}<ul>{{#problems}}<li>{{.}}</li>{{/problems}}</ul>{{/hasProblems}}
        {{^hasProblems}}<p class="notice">No problems in {{root}}.</p>{{/hasProblems}}
        <p class="muted">The lint and state checks of qsentry check; its live probes (DNS, clamd, the store) run from the command line.</p>

        """
}

/// A mailbox user's (and an administrator's) own settings: the quarantine digest, and the
/// senders the user allowed with "release and allow" (each can be taken back).
enum SettingsPage {
    static let template = """
        {{#hasAddresses}}<p>Digest of newly quarantined mail for {{addressList}}: <strong>{{state}}</strong></p>
        <form method="post" action="/settings">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <button name="digest" value="{{toggle}}">Switch digests {{toggle}}</button>
        </form>{{/hasAddresses}}
        {{^hasAddresses}}<p class="muted">Administrators get no digest; the quarantine page shows everything.</p>{{/hasAddresses}}
        {{#hasAddresses}}<h2>Senders you allowed</h2>
        <p class="muted">Mail from these senders to you skips the spam checks (never the virus scan).</p>
        <table><tr><th>Sender</th><th>For</th><th></th></tr>
        {{#allowed}}<tr><td>{{sender}}</td><td>{{recipient}}</td>
        <td><form method="post" action="/settings/allowed"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="sender" value="{{sender}}"><input type="hidden" name="recipient" value="{{recipient}}"><button type="submit">Remove</button></form></td></tr>{{/allowed}}
        {{^allowed}}<tr><td colspan="3">None: "Release and allow sender" in the quarantine adds one.</td></tr>{{/allowed}}
        </table>{{/hasAddresses}}

        """
}

/// The page a digest's link opens: the message named, one button to release it (a GET never
/// releases, so a mail scanner that follows links releases nothing).
enum ReleaseLinkPage {
    static let template = """
        {{#valid}}<p>{{subject}}<br><span class="muted">from {{from}}, held by {{rule}} on {{date}}, for {{recipient}}</span></p>
        <form method="post" action="{{action}}"><button type="submit">Release it to {{recipient}}</button></form>{{/valid}}
        {{^valid}}<p>{{reason}}</p>{{/valid}}

        """
}
