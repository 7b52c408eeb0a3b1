using OpenSma.Storage.Resources;

namespace OpenSma.ControlPlane.PhoneNumbers;

/// <summary>Status rules of the AWS number lifecycle that several operations share.</summary>
internal static class PhoneNumberLifecycle
{
    public const string Unassigned = "Unassigned";
    public const string Assigned = "Assigned";
    public const string AcquireInProgress = "AcquireInProgress";
    public const string DeleteInProgress = "DeleteInProgress";

    /// <summary>An acquired number is Assigned while anything uses it, Unassigned otherwise;
    /// numbers still being acquired or deleted keep their status.</summary>
    public static string StatusFor(string current, IReadOnlyCollection<PhoneNumberAssociation> associations) =>
        current is Unassigned or Assigned
            ? associations.Count > 0 ? Assigned : Unassigned
            : current;
}
