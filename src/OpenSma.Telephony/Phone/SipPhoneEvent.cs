using OpenSma.Media.Dtmf;
using OpenSma.Sip.Dialogs;

namespace OpenSma.Telephony.Phone;

/// <summary>Something that happened on a scripted phone's call, <see cref="At"/> after the phone started it.</summary>
public abstract record SipPhoneEvent(TimeSpan At);

/// <summary>A 180 or 183 arrived (caller), or the phone sent one (callee).</summary>
public sealed record PhoneRinging(TimeSpan At, int StatusCode) : SipPhoneEvent(At);

public sealed record PhoneAnswered(TimeSpan At) : SipPhoneEvent(At);

/// <summary>The call was not answered: the final failure status (486, 404, 487 after a cancel, a local 408...).</summary>
public sealed record PhoneFailed(TimeSpan At, int StatusCode, string Reason) : SipPhoneEvent(At);

public sealed record PhoneDigitSent(TimeSpan At, char Digit, PhoneDigitMethod Method) : SipPhoneEvent(At);

public sealed record PhoneDigitReceived(TimeSpan At, char Digit, DtmfSource Source) : SipPhoneEvent(At);

/// <summary>The phone started speaking a WAV of the given length.</summary>
public sealed record PhoneSaid(TimeSpan At, TimeSpan Duration) : SipPhoneEvent(At);

/// <summary>The phone decided to end the call (script, time limit, cancellation, media failure).</summary>
public sealed record PhoneHangingUp(TimeSpan At, string Why) : SipPhoneEvent(At);

/// <summary>The dialog ended: who ended it and with what status.</summary>
public sealed record PhoneEnded(TimeSpan At, SipEndReason Reason, int? StatusCode) : SipPhoneEvent(At);
