"""All models, imported here so the mapper registry is complete wherever any is used."""
from app.models.base import Base, utcnow
from app.models.units import AdminUnit, UnitLevel
from app.models.users import PasswordResetToken, Role, User
from app.models.notifications import OutboxMessage
from app.models.departments import Department, OfficerMembership, OfficerSkill
from app.models.cases import CASE_TYPES, Case, CaseEvent, RoutingRule
from app.models.calendar import CalendarDay
from app.models.procedures import Procedure, ProcedureDocument, ProcedureField
from app.models.dossiers import Dossier, DossierSequence
from app.models.dossier_files import DossierDraft, DossierFile
from app.models.dossier_fees import DossierFee, DossierResult
from app.models.community import (Comment, CommunitySettings, Flag, Initiative, InitiativeNeed,
                                  InitiativeSupport, InitiativeUpdate, InitiativeVersion,
                                  ModerationEntry, NeedSupport, NeedUpdate, Partner, Pledge,
                                  VillageHead, VillageNeed, VillageNeedItem, Volunteer)
from app.models.appointments import Appointment, DeskClosure, DeskOpening, DeskSlot
# Village announcements, emergency alerts and subscriptions (issue 10).
from app.models.announcements import Alert, AlertArea, Announcement, VillageSubscription
# Field reports and Open311 (issue 10: app/reports, app/open311).
from app.models.reports import (ApiKey, FieldReport, FieldReportPhoto, FieldReportSupport,
                                ReportAttribute, ReportCategory, ReportRoute)
# Petitions and questions, voters' meetings, citizen reception (issue 11).
from app.models.petitions import Petition, PetitionFile, PetitionTopic, VoterMeeting
from app.models.reception import ReceptionRecord, ReceptionRegistration, ReceptionSession
# Statistics and the smart-commune scorecard (issue 12).
from app.models.stats import CaseTally, ScorecardValue
# Counters telling rendered public pages apart (app/page_cache.py).
from app.models.content_versions import ContentVersion

__all__ = [
    "Base", "utcnow", "AdminUnit", "UnitLevel", "User", "Role", "PasswordResetToken",
    "OutboxMessage", "Department", "OfficerMembership", "OfficerSkill", "CASE_TYPES", "Case",
    "CaseEvent", "RoutingRule", "CalendarDay", "Procedure", "ProcedureDocument", "ProcedureField",
    "Dossier", "DossierSequence", "DossierDraft", "DossierFile",
    "DossierFee", "DossierResult",
    "Comment", "CommunitySettings", "Flag", "Initiative", "InitiativeNeed", "InitiativeSupport",
    "InitiativeUpdate", "InitiativeVersion", "ModerationEntry", "NeedSupport", "NeedUpdate",
    "Partner", "Pledge", "VillageHead", "VillageNeed", "VillageNeedItem", "Volunteer",
    "Appointment", "DeskClosure", "DeskOpening", "DeskSlot",
    "Alert", "AlertArea", "Announcement", "VillageSubscription",
    "ApiKey", "FieldReport", "FieldReportPhoto", "FieldReportSupport", "ReportAttribute",
    "ReportCategory", "ReportRoute",
    "Petition", "PetitionFile", "PetitionTopic", "VoterMeeting",
    "ReceptionRecord", "ReceptionRegistration", "ReceptionSession",
    "CaseTally", "ScorecardValue", "ContentVersion",
]
