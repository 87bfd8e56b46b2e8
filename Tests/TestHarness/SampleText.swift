/// Texts the tests of several suites share.
public enum SampleText {
    /// An advance-fee pitch of some 170 words: M12's tests change it and expect it to stay alike.
    public static let prizePitch = """
    Dear friend, we are pleased to inform you that your email address has been selected in our
    annual international promotion. You have been awarded a cash prize which will be released to
    you once you complete the claim form attached to this letter. To begin the claim process please
    contact our agent with your full name, your address, your telephone number and the reference
    number printed below. All winnings must be claimed within fourteen days of this notice or they
    will be returned to the general fund. Keep this award confidential until your claim has been
    processed, as part of our security protocol to prevent double claiming and unwarranted abuse of
    this programme by some participants. Congratulations once again from all members of our staff
    and thank you for being part of our promotional programme.
    """
}
