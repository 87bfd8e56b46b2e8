/// One quarantined message: nothing of it is rendered as HTML, run or fetched. The header and
/// the decoded text parts are shown as escaped text, attachments by name and size only.
enum MessagePage {
    static let template = """
        <table>
        <tr><th>Received</th><td>{{date}} from {{ip}}</td></tr>
        <tr><th>Held by</th><td>{{rule}}: {{text}}</td></tr>
        <tr><th>Sender</th><td>&lt;{{sender}}&gt;</td></tr>
        <tr><th>Recipients</th><td>{{recipients}}</td></tr>
        <tr><th>Size</th><td>{{size}} bytes</td></tr>
        </table>
        <form method="post" action="/quarantine/action" class="actions">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <input type="hidden" name="ids[]" value="{{id}}">
        <input type="hidden" name="back" value="/quarantine">
        <button name="action" value="release">Release</button>
        <button name="action" value="release-allow" title="{{#admin}}adds the sender to mailfromallow, for the whole site{{/admin}}{{^admin}}mail from this sender to you skips the spam checks{{/admin}}">Release and allow sender</button>
        <button name="action" value="delete">Delete</button>
        </form>
        <h2>Attachments</h2>
        {{#attachments}}<p>{{name}} ({{size}} bytes)</p>{{/attachments}}{{^attachments}}<p class="muted">None.</p>{{/attachments}}
        <h2>Text</h2>
        <pre>{{body}}</pre>
        {{#truncated}}<p class="muted">The text was cut at {{limit}} bytes.</p>{{/truncated}}
        <h2>Header</h2>
        <pre>{{header}}</pre>

        """
}
