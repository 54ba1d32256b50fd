"""A dossier's fee and result as shown outside the desk's forms, on the dossiers blueprint: the
electronic result to download (by its applicant, and by staff who see the case; anyone else
gets 404), and what the workbench shows about the fee, the result and an approved apology
(`dossier_progress`, a template global, so the pages that include the partials need not
change). The tracking page is handed the same in its view instead (fees.tracked_progress),
from what the look-up loaded."""
from __future__ import annotations

from flask import abort
from flask_login import current_user

from app.dossiers import fees
from app.dossiers.routes import bp
from app.downloads import send_stored
from app.extensions import db
from app.locale import current_language
from app.security import signed_in


@bp.get("/<int:case_id>/result")
@signed_in
def result_file(case_id: int):
    row = fees.readable_result(db.session, current_user._get_current_object(), case_id)
    if row is None:
        abort(404)
    return send_stored(row.file_key, "pdf", filename=row.file_name or "ket-qua.pdf")


@bp.app_template_global()
def dossier_progress(case):
    """The fee, the result and the apology of this dossier case, for the partials."""
    return fees.progress(db.session, case, current_language())


@bp.app_template_global()
def result_method_label(method: str | None) -> str:
    from app.dossiers.fee_forms import RESULT_METHOD_LABELS

    return str(RESULT_METHOD_LABELS.get(method or "", ""))
