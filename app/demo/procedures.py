"""Demo catalogue: real commune-level procedures as the national public-service portal
(dichvucong.gov.vn) and the Ministry of Justice's decisions publish them.

Facts are stated as closely as known; where a figure is set by each province (lệ phí hộ tịch,
under Thông tư 85/2019/TT-BTC the provincial People's Council decides it) or a code could not
be checked, the entry says so in UNSURE below, so nobody mistakes the demo for the official
record. Always check the province's current published list before going live.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from app.models import Procedure, ProcedureDocument, ProcedureField
from app.procedures.services import search_text

# Facts in this module that could not be confirmed against the published record.
UNSURE = {
    "1.001022": "fee (set by the province: 15.000 ₫ assumed, online half)",
    "1.004873": "fee (set by the province: 15.000 ₫ assumed, online half)",
    "1.004884": "code; fee (set by the province: 5.000 ₫ assumed)",
    "1.004859": "code; fee (set by the province: 15.000 ₫ assumed); time (3 days; longer "
                "when verification is needed)",
    "1.004837": "code; processing time",
    "2.001044": "code",
    "1.004222": "code; legal basis (see 1.004194)",
    "1.004227": "code; processing time; legal basis (see 1.004194)",
    "1.004194": "legal basis: Decree 62/2021/ND-CP may since have been replaced by Decree "
                "154/2024/ND-CP, and Circular 55/2021/TT-BCA amended",
    "1.001776": "processing time after the 2025 two-tier reform (10 working days assumed)",
    "1.001731": "code; processing time",
    "2.000815": "code (commune-level variant)",
    "2.000884": "code (commune-level variant)",
    "ho-tich": "legal basis: Circular 04/2020/TT-BTP has since been amended (03/2023/TT-BTP); "
               "templates follow the amended forms",
}

FIELDS = [
    ("ho-tich", "Hộ tịch", "Civil status"),
    ("chung-thuc", "Chứng thực", "Certification"),
    ("cu-tru", "Cư trú", "Residence"),
    ("bao-tro-xa-hoi", "Bảo trợ xã hội", "Social protection"),
]

UBND_VI = "Ủy ban nhân dân cấp xã"
UBND_EN = "Commune People's Committee"
POLICE_VI = "Công an cấp xã"
POLICE_EN = "Commune police"

HO_TICH_LAW_VI = ("Luật Hộ tịch số 60/2014/QH13; Nghị định số 123/2015/NĐ-CP; Thông tư số "
                  "04/2020/TT-BTP; Thông tư số 85/2019/TT-BTC; Nghị quyết của Hội đồng nhân dân "
                  "tỉnh về lệ phí hộ tịch")
HO_TICH_LAW_EN = ("Law on Civil Status No. 60/2014/QH13; Decree 123/2015/ND-CP; Circular "
                  "04/2020/TT-BTP; Circular 85/2019/TT-BTC; the Provincial People's Council "
                  "resolution on civil-status fees")
CHUNG_THUC_LAW_VI = ("Nghị định số 23/2015/NĐ-CP; Thông tư số 01/2020/TT-BTP; Thông tư số "
                     "226/2016/TT-BTC")
CHUNG_THUC_LAW_EN = "Decree 23/2015/ND-CP; Circular 01/2020/TT-BTP; Circular 226/2016/TT-BTC"
CU_TRU_LAW_VI = ("Luật Cư trú số 68/2020/QH14; Nghị định số 62/2021/NĐ-CP; Thông tư số "
                 "55/2021/TT-BCA; Thông tư số 75/2022/TT-BTC")
CU_TRU_LAW_EN = ("Law on Residence No. 68/2020/QH14; Decree 62/2021/ND-CP; Circular "
                 "55/2021/TT-BCA; Circular 75/2022/TT-BTC")
BTXH_LAW_VI = "Nghị định số 20/2021/NĐ-CP; Nghị định số 76/2024/NĐ-CP"
BTXH_LAW_EN = "Decree 20/2021/ND-CP; Decree 76/2024/ND-CP"

ID_CARD_VI = "Căn cước công dân hoặc giấy tờ tùy thân còn giá trị của người nộp (xuất trình)"
ID_CARD_EN = "The applicant's citizen identity card or other valid identity paper (shown)"

STEPS_HT_VI = ("1. Nộp hồ sơ tại Bộ phận Một cửa của xã hoặc trực tuyến.\n"
               "2. Công chức tư pháp – hộ tịch kiểm tra hồ sơ; nếu đủ thì tiếp nhận.\n"
               "3. Chủ tịch Ủy ban nhân dân xã ký kết quả.\n"
               "4. Nhận kết quả tại Bộ phận Một cửa hoặc qua bưu chính.")
STEPS_HT_EN = ("1. Submit at the commune's one-stop desk or online.\n"
               "2. The civil-status officer checks the papers and receives them when complete.\n"
               "3. The Chair of the Commune People's Committee signs the result.\n"
               "4. Collect the result at the one-stop desk or by post.")
STEPS_CT_VI = ("1. Mang giấy tờ đến Bộ phận Một cửa của xã.\n"
               "2. Người thực hiện chứng thực kiểm tra, đối chiếu và ký chứng thực.\n"
               "3. Nộp phí và nhận kết quả.")
STEPS_CT_EN = ("1. Bring the papers to the commune's one-stop desk.\n"
               "2. The certifying officer checks them against the originals and signs.\n"
               "3. Pay the fee and collect the result.")
STEPS_BTXH_VI = ("1. Nộp hồ sơ tại Bộ phận Một cửa của xã hoặc trực tuyến.\n"
                 "2. Công chức văn hóa – xã hội thẩm định, niêm yết công khai.\n"
                 "3. Chủ tịch Ủy ban nhân dân xã quyết định.\n"
                 "4. Nhận quyết định; trợ cấp được chi trả hằng tháng.")
STEPS_BTXH_EN = ("1. Submit at the commune's one-stop desk or online.\n"
                 "2. The culture and social affairs officer checks the case and posts it "
                 "publicly.\n3. The Chair of the Commune People's Committee decides.\n"
                 "4. Receive the decision; the allowance is paid every month.")
STEPS_CU_TRU_VI = ("1. Nộp hồ sơ tại Công an xã hoặc trực tuyến qua Cổng dịch vụ công, "
                   "ứng dụng VNeID.\n2. Công an xã kiểm tra, cập nhật Cơ sở dữ liệu về cư trú.\n"
                   "3. Nhận thông báo kết quả.")
STEPS_CU_TRU_EN = ("1. Submit at the commune police or online through the public-service "
                   "portal or the VNeID app.\n2. The commune police check the papers and update "
                   "the residence database.\n3. Receive the notice of the result.")

def _f(name, kind, vi, en, required=True, choices=None):
    field = {"name": name, "type": kind, "label_vi": vi, "label_en": en, "required": required}
    if choices:
        field["choices"] = [{"value": v, "label_vi": lv, "label_en": le} for v, lv, le in choices]
    return field


SEX = [("nam", "Nam", "Male"), ("nu", "Nữ", "Female")]
APPLICANT_PHONE = _f("applicant_phone", "phone", "Số điện thoại liên hệ", "Contact phone")
APPLICANT_ID = _f("applicant_id_number", "id_number", "Số định danh cá nhân của người nộp",
                  "Applicant's personal identification number")


def _doc(vi, en, kind="original", copies=1, upload=False, paper=None):
    """`paper`: the kind of paper across procedures (ProcedureDocument.paper_type), so a
    resident's earlier upload of it can be reused; procedure-specific forms have none."""
    return (vi, en, kind, copies, upload, paper)


# One dict per procedure; keys as in Procedure, plus "field" (code) and "documents".
PROCEDURES = [
    dict(code="1.001193", field="ho-tich", name_vi="Đăng ký khai sinh",
         name_en="Birth registration", processing_days=0, online_level="full",
         requires_approval=True, fee_in_person=0, fee_online=0, fee_post=0,
         fee_note_vi="Miễn lệ phí khi đăng ký đúng hạn (trong 60 ngày kể từ ngày sinh); "
                     "đăng ký quá hạn nộp lệ phí theo mức tỉnh quy định.",
         fee_note_en="Free when registered on time (within 60 days of the birth); a late "
                     "registration pays the fee the province sets.",
         applicants_vi="Cha, mẹ, ông, bà, người thân thích khác hoặc cá nhân, tổ chức đang nuôi "
                       "dưỡng trẻ em.",
         applicants_en="The child's father, mother, grandparents, other relatives, or the "
                       "person or organisation raising the child.",
         documents=[
             _doc("Tờ khai đăng ký khai sinh (theo mẫu)", "Birth registration form (template)",
                  upload=True),
             _doc("Giấy chứng sinh (bản chính); nếu không có thì văn bản của người làm chứng "
                  "hoặc giấy cam đoan về việc sinh",
                  "Birth certificate from the hospital (original); if none, a witness's "
                  "statement or a sworn declaration of the birth", upload=True, paper="birth_notice"),
             _doc("Văn bản ủy quyền có chứng thực (nếu nộp thay)",
                  "Certified authorisation (when someone else submits)", "either",
                  paper="authorisation"),
         ],
         form_schema=[
             _f("child_name", "text", "Họ, chữ đệm và tên của trẻ", "Child's full name"),
             _f("child_birth_date", "date", "Ngày sinh của trẻ", "Child's date of birth"),
             _f("child_sex", "choice", "Giới tính", "Sex", choices=SEX),
             _f("birth_place", "text", "Nơi sinh", "Place of birth"),
             APPLICANT_ID, APPLICANT_PHONE,
         ]),
    dict(code="1.000656", field="ho-tich", name_vi="Đăng ký khai tử",
         name_en="Death registration", processing_days=0, online_level="full",
         requires_approval=True, fee_in_person=0, fee_online=0, fee_post=0,
         fee_note_vi="Miễn lệ phí khi đăng ký đúng hạn (trong 15 ngày kể từ ngày chết).",
         fee_note_en="Free when registered on time (within 15 days of the death).",
         applicants_vi="Vợ, chồng, con, cha, mẹ hoặc người thân thích khác của người chết; "
                       "cơ quan, tổ chức nơi người đó công tác hoặc cư trú khi không có người "
                       "thân.",
         applicants_en="The spouse, children, parents or other relatives of the deceased; "
                       "the body where the person worked or lived when there is no relative.",
         documents=[
             _doc("Tờ khai đăng ký khai tử (theo mẫu)", "Death registration form (template)",
                  upload=True),
             _doc("Giấy báo tử hoặc giấy tờ thay thế Giấy báo tử",
                  "Death notice, or a paper that replaces it", upload=True,
                  paper="death_certificate"),
         ],
         form_schema=[
             _f("deceased_name", "text", "Họ và tên người chết", "Full name of the deceased"),
             _f("death_date", "date", "Ngày chết", "Date of death"),
             _f("relationship", "text", "Quan hệ với người chết", "Relationship to the deceased"),
             APPLICANT_ID, APPLICANT_PHONE,
         ]),
    dict(code="1.000894", field="ho-tich", name_vi="Đăng ký kết hôn",
         name_en="Marriage registration", processing_days=0, online_level="partial",
         requires_approval=True, fee_in_person=0, fee_online=0, fee_post=None,
         fee_note_vi="Miễn lệ phí cho công dân Việt Nam cư trú ở trong nước. Nếu cần xác minh "
                     "thì thời hạn không quá 05 ngày làm việc.",
         fee_note_en="Free for Vietnamese citizens living in Viet Nam. When facts must be "
                     "verified, it takes up to 5 working days.",
         applicants_vi="Nam, nữ đủ điều kiện kết hôn theo Luật Hôn nhân và gia đình; cả hai "
                       "bên phải có mặt khi đăng ký.",
         applicants_en="A man and a woman who meet the conditions of the Law on Marriage and "
                       "Family; both must be present at registration.",
         documents=[
             _doc("Tờ khai đăng ký kết hôn (theo mẫu)", "Marriage registration form (template)"),
             _doc("Giấy xác nhận tình trạng hôn nhân (khi đăng ký tại nơi không thường trú)",
                  "Certificate of marital status (when registering away from one's residence)",
                  paper="marital_status"),
         ],
         form_schema=[
             _f("partner_name", "text", "Họ và tên bên kia", "Full name of the other party"),
             _f("partner_id_number", "id_number", "Số định danh của bên kia",
                "Other party's identification number"),
             APPLICANT_ID, APPLICANT_PHONE,
         ]),
    dict(code="1.001022", field="ho-tich", name_vi="Đăng ký nhận cha, mẹ, con",
         name_en="Registration of parent–child recognition", processing_days=3,
         online_level="partial", requires_approval=True, fee_in_person=15000, fee_online=7500,
         fee_post=15000,
         fee_note_vi="Mức lệ phí do Hội đồng nhân dân tỉnh quy định.",
         fee_note_en="The fee is set by the Provincial People's Council.",
         applicants_vi="Người nhận cha, mẹ, con; các bên phải có mặt khi đăng ký.",
         applicants_en="The person recognising the parent or child; the parties must be present.",
         documents=[
             _doc("Tờ khai đăng ký nhận cha, mẹ, con (theo mẫu)",
                  "Parent–child recognition form (template)"),
             _doc("Chứng cứ chứng minh quan hệ cha, mẹ, con (văn bản giám định ADN hoặc giấy "
                  "tờ khác)", "Evidence of the relationship (a DNA test report or other papers)",
                  "either", upload=True, paper="relationship_proof"),
         ]),
    dict(code="1.004873", field="ho-tich", name_vi="Cấp Giấy xác nhận tình trạng hôn nhân",
         name_en="Certificate of marital status", processing_days=3, online_level="full",
         requires_approval=True, fee_in_person=15000, fee_online=7500, fee_post=15000,
         fee_note_vi="Mức lệ phí do Hội đồng nhân dân tỉnh quy định. Nếu cần xác minh thì "
                     "thời hạn được kéo dài.",
         fee_note_en="The fee is set by the Provincial People's Council. It takes longer when "
                     "facts must be verified.",
         applicants_vi="Công dân Việt Nam cư trú trong nước có yêu cầu xác nhận tình trạng "
                       "hôn nhân.",
         applicants_en="Vietnamese citizens living in Viet Nam who need their marital status "
                       "confirmed.",
         documents=[
             _doc("Tờ khai cấp Giấy xác nhận tình trạng hôn nhân (theo mẫu)",
                  "Application form for a certificate of marital status (template)",
                  upload=True),
             _doc("Giấy tờ chứng minh đã ly hôn hoặc người vợ, chồng đã chết (nếu có)",
                  "Proof of divorce or of the spouse's death (if any)", "copy",
                  paper="divorce_proof"),
         ],
         form_schema=[
             _f("purpose", "choice", "Mục đích sử dụng", "Purpose",
                choices=[("ket-hon", "Kết hôn", "Marriage"),
                         ("khac", "Mục đích khác", "Another purpose")]),
             APPLICANT_ID, APPLICANT_PHONE,
         ]),
    dict(code="2.000635", field="ho-tich", name_vi="Cấp bản sao Trích lục hộ tịch",
         name_en="Copies of civil-status extracts", processing_days=0, online_level="full",
         requires_approval=True, fee_in_person=8000, fee_online=8000, fee_post=8000,
         fee_note_vi="Phí 8.000 ₫ mỗi bản sao (Thông tư số 281/2016/TT-BTC).",
         fee_note_en="8.000 ₫ per copy (Circular 281/2016/TT-BTC).",
         applicants_vi="Cá nhân có yêu cầu cấp bản sao trích lục hộ tịch của mình hoặc người "
                       "được ủy quyền.",
         applicants_en="The person the record concerns, or someone they authorise.",
         documents=[
             _doc("Tờ khai cấp bản sao trích lục hộ tịch (theo mẫu)",
                  "Application for copies of a civil-status extract (template)", upload=True),
         ],
         form_schema=[
             _f("record_kind", "choice", "Loại trích lục", "Kind of extract",
                choices=[("khai-sinh", "Khai sinh", "Birth"), ("ket-hon", "Kết hôn", "Marriage"),
                         ("khai-tu", "Khai tử", "Death")]),
             _f("copies", "number", "Số bản sao", "Number of copies"),
             APPLICANT_ID, APPLICANT_PHONE,
         ]),
    dict(code="1.004884", field="ho-tich", name_vi="Đăng ký lại khai sinh",
         name_en="Re-registration of a birth", processing_days=5, online_level="partial",
         requires_approval=True, fee_in_person=5000, fee_online=2500, fee_post=5000,
         fee_note_vi="Mức lệ phí do Hội đồng nhân dân tỉnh quy định.",
         fee_note_en="The fee is set by the Provincial People's Council.",
         applicants_vi="Người đã đăng ký khai sinh tại cơ quan có thẩm quyền của Việt Nam nhưng "
                       "sổ hộ tịch và bản chính giấy khai sinh đều bị mất.",
         applicants_en="People whose birth was registered in Viet Nam but whose register entry "
                       "and original birth certificate are both lost.",
         documents=[
             _doc("Tờ khai đăng ký lại khai sinh (theo mẫu)",
                  "Birth re-registration form (template)"),
             _doc("Bản sao giấy khai sinh hoặc giấy tờ có thông tin khai sinh",
                  "A copy of the birth certificate or papers that show the birth details",
                  "copy", paper="birth_certificate"),
         ]),
    dict(code="1.004859", field="ho-tich", name_vi="Thay đổi, cải chính, bổ sung thông tin hộ tịch",
         name_en="Change, correction or completion of civil-status information",
         processing_days=3, online_level="partial", requires_approval=True,
         fee_in_person=15000, fee_online=7500, fee_post=15000,
         fee_note_vi="Mức lệ phí do Hội đồng nhân dân tỉnh quy định.",
         fee_note_en="The fee is set by the Provincial People's Council.",
         applicants_vi="Người có yêu cầu thay đổi, cải chính, bổ sung thông tin hộ tịch của "
                       "mình hoặc của người chưa thành niên do mình đại diện.",
         applicants_en="People asking to change, correct or complete their own record, or a "
                       "minor's they represent.",
         documents=[
             _doc("Tờ khai thay đổi, cải chính, bổ sung thông tin hộ tịch (theo mẫu)",
                  "Application form (template)"),
             _doc("Giấy tờ làm căn cứ cho việc thay đổi, cải chính, bổ sung",
                  "Papers that support the change", "copy", upload=True),
         ]),
    dict(code="1.004837", field="ho-tich", name_vi="Đăng ký giám hộ",
         name_en="Guardianship registration", processing_days=3, online_level="partial",
         requires_approval=True, fee_in_person=0, fee_online=0, fee_post=0,
         fee_note_vi="Miễn lệ phí (Luật Hộ tịch, Điều 11).",
         fee_note_en="Free (Law on Civil Status, article 11).",
         applicants_vi="Người được cử làm giám hộ.", applicants_en="The person appointed guardian.",
         documents=[
             _doc("Tờ khai đăng ký giám hộ (theo mẫu)", "Guardianship registration form (template)"),
             _doc("Văn bản cử người giám hộ", "The paper appointing the guardian"),
         ]),
    dict(code="2.000815", field="chung-thuc",
         name_vi="Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan có thẩm quyền "
                 "của Việt Nam cấp hoặc chứng nhận",
         name_en="Certified copies from originals issued by Vietnamese authorities",
         processing_days=0, online_level="partial", requires_approval=True,
         fee_in_person=2000, fee_online=None, fee_post=None,
         fee_note_vi="2.000 ₫ mỗi trang; từ trang thứ ba trở đi 1.000 ₫ mỗi trang, tối đa "
                     "200.000 ₫ mỗi bản.",
         fee_note_en="2.000 ₫ a page; from the third page 1.000 ₫ a page, at most 200.000 ₫ a "
                     "copy.",
         applicants_vi="Mọi cá nhân, tổ chức.", applicants_en="Anyone, person or organisation.",
         documents=[
             _doc("Bản chính giấy tờ, văn bản cần chứng thực", "The original to be copied"),
             _doc("Bản sao cần chứng thực (nếu người yêu cầu tự mang bản chụp)",
                  "The copies to certify (if you bring your own photocopies)", "copy"),
         ]),
    dict(code="2.000884", field="chung-thuc",
         name_vi="Chứng thực chữ ký trong các giấy tờ, văn bản",
         name_en="Authentication of a signature on papers", processing_days=0,
         online_level="partial", requires_approval=True, fee_in_person=10000, fee_online=None,
         fee_post=None, fee_note_vi="10.000 ₫ mỗi trường hợp.",
         fee_note_en="10.000 ₫ per signature authenticated.",
         applicants_vi="Người yêu cầu chứng thực chữ ký; phải ký trước mặt người thực hiện "
                       "chứng thực.",
         applicants_en="The person whose signature is authenticated; they sign in front of "
                       "the certifying officer.",
         documents=[
             _doc(ID_CARD_VI, ID_CARD_EN, paper="cccd"),
             _doc("Giấy tờ, văn bản sẽ ký", "The paper to be signed"),
         ]),
    dict(code="2.001035", field="chung-thuc",
         name_vi="Chứng thực hợp đồng, giao dịch liên quan đến tài sản là động sản, quyền sử "
                 "dụng đất và nhà ở",
         name_en="Certification of contracts on movable property, land-use rights and housing",
         processing_days=2, online_level="partial", requires_approval=True,
         fee_in_person=50000, fee_online=None, fee_post=None,
         fee_note_vi="50.000 ₫ mỗi hợp đồng, giao dịch.", fee_note_en="50.000 ₫ per contract.",
         applicants_vi="Các bên tham gia hợp đồng, giao dịch.",
         applicants_en="The parties to the contract.",
         documents=[
             _doc("Dự thảo hợp đồng, giao dịch", "The draft contract"),
             _doc(ID_CARD_VI, ID_CARD_EN, "copy", paper="cccd"),
             _doc("Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở hoặc giấy tờ về "
                  "tài sản", "Land-use or house ownership certificate, or papers for the asset",
                  "copy", paper="land_certificate"),
         ]),
    dict(code="2.001044", field="chung-thuc",
         name_vi="Cấp bản sao có chứng thực từ bản chính hợp đồng, giao dịch đã được chứng thực",
         name_en="Certified copies of a contract certified earlier", processing_days=0,
         online_level="partial", requires_approval=True, fee_in_person=2000,
         fee_online=None, fee_post=2000,
         fee_note_vi="2.000 ₫ mỗi trang; từ trang thứ ba trở đi 1.000 ₫ mỗi trang.",
         fee_note_en="2.000 ₫ a page; from the third page 1.000 ₫ a page.",
         applicants_vi="Các bên tham gia hợp đồng, giao dịch hoặc người được ủy quyền.",
         applicants_en="The parties to the contract, or someone they authorise.",
         documents=[_doc(ID_CARD_VI, ID_CARD_EN, paper="cccd")]),
    dict(code="1.004194", field="cu-tru", name_vi="Đăng ký thường trú",
         name_en="Permanent residence registration", processing_days=7, online_level="full",
         requires_approval=True, fee_in_person=20000, fee_online=10000, fee_post=None,
         fee_note_vi="Lệ phí theo Thông tư số 75/2022/TT-BTC; miễn cho các trường hợp luật định.",
         fee_note_en="Fee under Circular 75/2022/TT-BTC; some people are exempt by law.",
         agency_vi=POLICE_VI, agency_en=POLICE_EN, legal_basis_vi=CU_TRU_LAW_VI,
         legal_basis_en=CU_TRU_LAW_EN, steps_vi=STEPS_CU_TRU_VI, steps_en=STEPS_CU_TRU_EN,
         applicants_vi="Công dân có chỗ ở hợp pháp và đủ điều kiện đăng ký thường trú.",
         applicants_en="Citizens with a lawful home who meet the conditions for permanent "
                       "residence.",
         documents=[
             _doc("Tờ khai thay đổi thông tin cư trú (mẫu CT01)",
                  "Residence information change form (CT01)", upload=True),
             _doc("Giấy tờ, tài liệu chứng minh chỗ ở hợp pháp", "Proof of a lawful home",
                  "copy", upload=True, paper="residence_proof"),
         ],
         form_schema=[
             _f("address", "text", "Địa chỉ đăng ký thường trú", "Address to register"),
             APPLICANT_ID, APPLICANT_PHONE,
         ]),
    dict(code="1.004222", field="cu-tru", name_vi="Đăng ký tạm trú",
         name_en="Temporary residence registration", processing_days=3, online_level="full",
         requires_approval=False, fee_in_person=15000, fee_online=7000, fee_post=None,
         fee_note_vi="Lệ phí theo Thông tư số 75/2022/TT-BTC.",
         fee_note_en="Fee under Circular 75/2022/TT-BTC.",
         agency_vi=POLICE_VI, agency_en=POLICE_EN, legal_basis_vi=CU_TRU_LAW_VI,
         legal_basis_en=CU_TRU_LAW_EN, steps_vi=STEPS_CU_TRU_VI, steps_en=STEPS_CU_TRU_EN,
         applicants_vi="Công dân đến sinh sống tại chỗ ở hợp pháp ngoài nơi thường trú từ 30 "
                       "ngày trở lên.",
         applicants_en="Citizens staying 30 days or more at a lawful home away from their "
                       "permanent residence.",
         documents=[
             _doc("Tờ khai thay đổi thông tin cư trú (mẫu CT01)",
                  "Residence information change form (CT01)", upload=True),
             _doc("Giấy tờ, tài liệu chứng minh chỗ ở hợp pháp", "Proof of a lawful home",
                  "copy", upload=True, paper="residence_proof"),
         ]),
    dict(code="1.004227", field="cu-tru", name_vi="Khai báo tạm vắng",
         name_en="Declaration of temporary absence", processing_days=1, online_level="full",
         requires_approval=False, fee_in_person=0, fee_online=0, fee_post=None,
         agency_vi=POLICE_VI, agency_en=POLICE_EN, legal_basis_vi=CU_TRU_LAW_VI,
         legal_basis_en=CU_TRU_LAW_EN, steps_vi=STEPS_CU_TRU_VI, steps_en=STEPS_CU_TRU_EN,
         applicants_vi="Người thuộc diện phải khai báo tạm vắng theo Luật Cư trú.",
         applicants_en="People the Law on Residence requires to declare a temporary absence.",
         documents=[
             _doc("Đề nghị khai báo tạm vắng", "Request to declare a temporary absence",
                  upload=True),
         ]),
    dict(code="1.001776", field="bao-tro-xa-hoi",
         name_vi="Thực hiện, điều chỉnh, thôi hưởng trợ cấp xã hội hằng tháng, hỗ trợ kinh phí "
                 "chăm sóc, nuôi dưỡng hằng tháng",
         name_en="Starting, changing or ending the monthly social allowance and monthly care "
                 "support", processing_days=10, online_level="partial", requires_approval=True,
         fee_in_person=0, fee_online=0, fee_post=0, legal_basis_vi=BTXH_LAW_VI,
         legal_basis_en=BTXH_LAW_EN,
         applicants_vi="Đối tượng bảo trợ xã hội theo Nghị định 20/2021/NĐ-CP (người cao tuổi, "
                       "người khuyết tật, trẻ em không có nguồn nuôi dưỡng, …) hoặc người giám "
                       "hộ, người chăm sóc.",
         applicants_en="People covered by Decree 20/2021/ND-CP (older people, people with "
                       "disabilities, children without support, …) or their guardian or carer.",
         documents=[
             _doc("Tờ khai đề nghị trợ giúp xã hội (theo mẫu của Nghị định 20/2021/NĐ-CP)",
                  "Application for social assistance (Decree 20/2021/ND-CP form)", upload=True),
             _doc("Giấy xác nhận khuyết tật (đối với người khuyết tật)",
                  "Disability certificate (for people with disabilities)", "copy",
                  paper="disability_certificate"),
         ],
         form_schema=[
             _f("beneficiary_name", "text", "Họ và tên người hưởng", "Beneficiary's full name"),
             _f("beneficiary_birth_date", "date", "Ngày sinh người hưởng",
                "Beneficiary's date of birth"),
             _f("group", "choice", "Nhóm đối tượng", "Group",
                choices=[("cao-tuoi", "Người cao tuổi", "Older person"),
                         ("khuyet-tat", "Người khuyết tật", "Person with disabilities"),
                         ("tre-em", "Trẻ em", "Child"), ("khac", "Khác", "Other")]),
             APPLICANT_PHONE,
         ]),
    dict(code="1.001731", field="bao-tro-xa-hoi",
         name_vi="Hỗ trợ chi phí mai táng cho đối tượng bảo trợ xã hội",
         name_en="Funeral cost support for social protection beneficiaries",
         processing_days=5, online_level="partial", requires_approval=True, fee_in_person=0,
         fee_online=0, fee_post=0, legal_basis_vi=BTXH_LAW_VI, legal_basis_en=BTXH_LAW_EN,
         applicants_vi="Cơ quan, tổ chức, gia đình hoặc cá nhân tổ chức mai táng cho người "
                       "đang hưởng trợ cấp xã hội hằng tháng.",
         applicants_en="Whoever arranged the funeral of a person receiving the monthly social "
                       "allowance.",
         documents=[
             _doc("Tờ khai đề nghị hỗ trợ chi phí mai táng (theo mẫu)",
                  "Application for funeral cost support (template)"),
             _doc("Giấy báo tử hoặc trích lục khai tử", "Death notice or death extract", "copy",
                  paper="death_certificate"),
         ]),
]


# The queue category (the officers' skill) each field's dossiers carry.
FIELD_CATEGORIES = {"ho-tich": "civil_status", "chung-thuc": "certification",
                    "cu-tru": "residence", "bao-tro-xa-hoi": "social_support"}


def seed_procedures(session: Session) -> int:
    """The demo fields and procedures (no commit); returns how many procedures were added."""
    fields = {}
    for code, vi, en in FIELDS:
        fields[code] = ProcedureField(code=code, name_vi=vi, name_en=en,
                                      category=FIELD_CATEGORIES[code])
        session.add(fields[code])
    defaults = {
        "ho-tich": dict(legal_basis_vi=HO_TICH_LAW_VI, legal_basis_en=HO_TICH_LAW_EN,
                        steps_vi=STEPS_HT_VI, steps_en=STEPS_HT_EN),
        "chung-thuc": dict(legal_basis_vi=CHUNG_THUC_LAW_VI, legal_basis_en=CHUNG_THUC_LAW_EN,
                           steps_vi=STEPS_CT_VI, steps_en=STEPS_CT_EN),
        "cu-tru": {}, "bao-tro-xa-hoi": dict(steps_vi=STEPS_BTXH_VI, steps_en=STEPS_BTXH_EN),
    }
    for spec in PROCEDURES:
        spec = dict(spec)
        field = fields[spec.pop("field")]
        documents = spec.pop("documents")
        values = {"level": "commune", "agency_vi": UBND_VI, "agency_en": UBND_EN,
                  "form_schema": [], **defaults[field.code], **spec}
        procedure = Procedure(field=field, **values)
        procedure.documents = [
            ProcedureDocument(position=i, name_vi=vi, name_en=en, original_or_copy=kind,
                              copies=copies, upload_required=upload, paper_type=paper)
            for i, (vi, en, kind, copies, upload, paper) in enumerate(documents, start=1)]
        procedure.search_text = search_text(procedure, field)
        session.add(procedure)
    session.flush()
    return len(PROCEDURES)
