/// Every page's frame: the navigation, who is logged in, the logout form (with its CSRF
/// token), and the page's own content, which its template rendered and escaped already.
enum Layout {
    static let template = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="referrer" content="same-origin">
        <title>{{title}} · qsentry</title>
        <link rel="stylesheet" href="/style.css">
        </head><body>
        <header><a class="brand" href="/">qsentry</a>
        {{#who}}<nav><a href="/quarantine">Quarantine</a>{{#admin}} <a href="/lists">Lists</a> <a href="/bans">Bans</a> <a href="/stats">Statistics</a> <a href="/check">Check</a>{{/admin}} <a href="/settings">Settings</a></nav>
        <form class="logout" method="post" action="/logout"><input type="hidden" name="csrf" value="{{csrf}}"><span class="who">{{who}}</span> <button type="submit">Log out</button></form>{{/who}}
        </header>
        <main>
        {{#notice}}<p class="notice" role="status">{{notice}}</p>{{/notice}}
        {{#problem}}<p class="problem" role="alert">{{problem}}</p>{{/problem}}
        <h1>{{title}}</h1>
        {{{body}}}
        </main></body></html>

        """
}

/// The one stylesheet: small, no fonts or images fetched, readable on a phone.
enum Stylesheet {
    static let css = """
        body { font-family: system-ui, sans-serif; margin: 0; color: #222; background: #fafafa; }
        header { background: #243447; color: #fff; padding: .5em 1em; display: flex; flex-wrap: wrap; gap: .5em 1.5em; align-items: center; }
        header a { color: #fff; text-decoration: none; margin-right: .8em; }
        header .brand { font-weight: bold; }
        header form.logout { margin-left: auto; }
        main { padding: 1em; max-width: 75em; }
        table { border-collapse: collapse; width: 100%; background: #fff; }
        th, td { border-bottom: 1px solid #ddd; padding: .3em .5em; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
        th a { color: inherit; }
        pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #fff; border: 1px solid #ddd; padding: .5em; max-height: 40em; overflow: auto; }
        textarea { width: 100%; min-height: 20em; font-family: monospace; }
        input, select, button { font: inherit; padding: .2em .4em; margin: .1em 0; }
        form.search { display: flex; flex-wrap: wrap; gap: .4em; margin-bottom: 1em; }
        .notice { background: #e8f5e9; border: 1px solid #81c784; padding: .5em; }
        .problem { background: #ffebee; border: 1px solid #e57373; padding: .5em; white-space: pre-wrap; }
        .actions { margin: .5em 0; display: flex; flex-wrap: wrap; gap: .4em; }
        .muted { color: #666; }
        svg { max-width: 100%; height: auto; }
        svg text { font-family: sans-serif; font-size: 12px; }
        @media (max-width: 40em) { .wide { display: none; } main { padding: .5em; } }

        """
}
