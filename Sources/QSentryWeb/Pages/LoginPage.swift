enum LoginPage {
    static let template = """
        <form method="post" action="/login">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <p><label>Name or address<br><input name="name" autocomplete="username" required maxlength="254" value="{{name}}"></label></p>
        <p><label>Password<br><input name="password" type="password" autocomplete="current-password" required maxlength="1024"></label></p>
        <p><button type="submit">Log in</button></p>
        </form>
        <p class="muted">Administrators log in with their console name; mailbox users with their mail login.</p>

        """
}
