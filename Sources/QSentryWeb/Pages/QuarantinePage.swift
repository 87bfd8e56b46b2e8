enum QuarantinePage {
    static let template = """
        <form class="search" method="get" action="/quarantine">
        <input name="q" placeholder="search" value="{{q}}" aria-label="search">
        <input name="sender" placeholder="sender" value="{{sender}}" aria-label="sender">
        {{#admin}}<input name="recipient" placeholder="recipient" value="{{recipient}}" aria-label="recipient">{{/admin}}
        <input name="rule" placeholder="rule" value="{{rule}}" aria-label="rule" size="8">
        <input name="subject" placeholder="subject" value="{{subject}}" aria-label="subject">
        <input name="from" type="date" value="{{from}}" aria-label="from date">
        <input name="until" type="date" value="{{until}}" aria-label="until date">
        <input type="hidden" name="sort" value="{{sort}}"><input type="hidden" name="order" value="{{order}}">
        <button type="submit">Search</button>
        </form>
        <p class="muted">{{total}} message{{^one}}s{{/one}}, page {{page}} of {{pages}}. {{expiry}}</p>
        <form method="post" action="/quarantine/action">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <input type="hidden" name="back" value="{{back}}">
        <table>
        <tr><th></th>{{#columns}}<th class="{{class}}"><a href="{{href}}">{{label}}{{mark}}</a></th>{{/columns}}</tr>
        {{#entries}}<tr>
        <td><input type="checkbox" name="ids[]" value="{{id}}" aria-label="select"></td>
        <td>{{date}}</td>
        <td>{{from}}<br><span class="muted">&lt;{{sender}}&gt;</span></td>
        <td class="wide">{{recipients}}</td>
        <td><a href="/quarantine/{{id}}">{{subject}}</a></td>
        <td>{{rule}}</td>
        <td class="wide">{{size}}</td>
        </tr>{{/entries}}
        {{^entries}}<tr><td colspan="7">Nothing in quarantine{{#filtered}} matches{{/filtered}}.</td></tr>{{/entries}}
        </table>
        <div class="actions">
        <button name="action" value="release">Release selected</button>
        <button name="action" value="release-allow" title="{{#admin}}adds the sender to mailfromallow, for the whole site{{/admin}}{{^admin}}mail from this sender to you skips the spam checks{{/admin}}">Release and allow sender</button>
        <button name="action" value="delete">Delete selected</button>
        </div>
        </form>
        <p>{{#previous}}<a href="{{previous}}">← newer</a> {{/previous}}{{#next}}<a href="{{next}}">older →</a>{{/next}}</p>

        """
}
