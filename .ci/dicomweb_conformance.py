"""DICOMweb conformance against a client others wrote: the `dicomweb-client` package stores the test
files (STOW-RS) as a technician, then, as a doctor, searches (QIDO-RS) and retrieves metadata,
instances, series, frames, bulk data and rendered images (WADO-RS), checking each answer against the
files it stored (pydicom reads them).

Usage: python dicomweb_conformance.py BASE_URL TESTDATA_DIR
The server must hold the demo clinic staff (`server seed-demo`) and no study of these files yet.
"""

import json
import os
import sys
import urllib.request

import pydicom
from dicomweb_client.api import DICOMwebClient
from requests import HTTPError

FILES = ["CT_small.dcm", "MR_small.dcm", "examples_ybr_color.dcm", "examples_rgb_color.dcm", "JPEG2000.dcm"]
PASSWORD = "demo-clinic-2026"


def token(base, username):
    request = urllib.request.Request(
        base + "/api/auth/login",
        data=json.dumps({"username": username, "password": PASSWORD}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer)["data"]["token"]


def client(base, username):
    return DICOMwebClient(url=base + "/dicomweb", headers={"Authorization": "Bearer " + token(base, username)})


def value(dataset_json, tag):
    return dataset_json.get(tag, {}).get("Value", [None])[0]


def check(condition, what):
    if not condition:
        raise SystemExit("FAILED: " + what)
    print("ok   " + what)


def main():
    base, testdata = sys.argv[1].rstrip("/"), sys.argv[2]
    datasets = {name: pydicom.dcmread(os.path.join(testdata, name)) for name in FILES}
    technician, doctor = client(base, "technician"), client(base, "doctor")

    # STOW-RS, as a technician: every file stored.
    answer = technician.store_instances(datasets=list(datasets.values()))
    stored = [str(item.ReferencedSOPInstanceUID) for item in answer.ReferencedSOPSequence]
    check(sorted(stored) == sorted(str(d.SOPInstanceUID) for d in datasets.values()), "STOW-RS stores all %d instances" % len(FILES))

    # STOW-RS into a named study: an instance of another study is refused (and a doctor may not store).
    ct, us = datasets["CT_small.dcm"], datasets["examples_ybr_color.dcm"]
    try:
        technician.store_instances(datasets=[us], study_instance_uid=str(ct.StudyInstanceUID))
        check(False, "STOW-RS into another study is refused")
    except HTTPError as e:
        failed = e.response.json().get("00081198", {}).get("Value", [])
        check(e.response.status_code == 409 and value(failed[0], "00081197") == 0xA900, "STOW-RS into another study is refused (409, A900)")
    try:
        doctor.store_instances(datasets=[ct])
        check(False, "a doctor may not store")
    except HTTPError as e:
        check(e.response.status_code == 403, "a doctor may not store (403)")

    # QIDO-RS.
    studies = doctor.search_for_studies()
    check(len(studies) == len(FILES), "QIDO-RS lists the %d studies" % len(FILES))
    found = doctor.search_for_studies(search_filters={"PatientName": "CompressedSamples*"})
    check(len(found) == 4, "PatientName with a wildcard matches 4 studies")
    found = doctor.search_for_studies(search_filters={"ModalitiesInStudy": "CT"})
    check([value(s, "0020000D") for s in found] == [str(ct.StudyInstanceUID)], "ModalitiesInStudy=CT finds the CT")
    found = doctor.search_for_studies(search_filters={"StudyDate": "20040101-20041231"}, limit=2, offset=1)
    check(len(found) == 2, "StudyDate ranges, limit and offset")
    found = doctor.search_for_studies(fields=["all"], search_filters={"StudyInstanceUID": str(us.StudyInstanceUID)})
    check(value(found[0], "00201208") == 1 and value(found[0], "00201206") == 1, "study counts (series, instances)")
    series = doctor.search_for_series(study_instance_uid=str(us.StudyInstanceUID))
    check(value(series[0], "0020000E") == str(us.SeriesInstanceUID), "QIDO-RS series of a study")
    instances = doctor.search_for_instances(
        study_instance_uid=str(us.StudyInstanceUID), series_instance_uid=str(us.SeriesInstanceUID)
    )
    check(value(instances[0], "00080018") == str(us.SOPInstanceUID), "QIDO-RS instances of a series")
    check(len(doctor.search_for_instances()) == len(FILES), "QIDO-RS instances of every study")

    # WADO-RS metadata.
    meta = doctor.retrieve_series_metadata(str(us.StudyInstanceUID), str(us.SeriesInstanceUID))
    check(value(meta[0], "00280008") in (30, "30"), "series metadata: the ultrasound's 30 frames")
    check("BulkDataURI" in meta[0]["7FE00010"], "series metadata: pixel data as a BulkDataURI")
    meta = doctor.retrieve_study_metadata(str(ct.StudyInstanceUID))
    check(value(meta[0], "00100010")["Alphabetic"] == str(ct.PatientName), "study metadata: PersonName as Alphabetic")

    # WADO-RS instances, series, study.
    instance = doctor.retrieve_instance(str(ct.StudyInstanceUID), str(ct.SeriesInstanceUID), str(ct.SOPInstanceUID))
    check(instance.PixelData == ct.PixelData, "instance retrieved byte for byte (pixel data)")
    check(len(doctor.retrieve_series(str(us.StudyInstanceUID), str(us.SeriesInstanceUID))) == 1, "series retrieved")
    check(len(doctor.retrieve_study(str(ct.StudyInstanceUID))) == 1, "study retrieved")

    # Frames: uncompressed as stored; the JPEG ultrasound as stored (JPEG) when asked so.
    frames = doctor.retrieve_instance_frames(
        str(ct.StudyInstanceUID), str(ct.SeriesInstanceUID), str(ct.SOPInstanceUID), frame_numbers=[1]
    )
    check(frames[0] == ct.PixelData, "a CT frame: its little-endian pixels")
    frames = doctor.retrieve_instance_frames(
        str(us.StudyInstanceUID),
        str(us.SeriesInstanceUID),
        str(us.SOPInstanceUID),
        frame_numbers=[1, 30],
        media_types=(("image/jpeg", "1.2.840.10008.1.2.4.50"),),
    )
    check(len(frames) == 2 and all(f[:2] == b"\xff\xd8" for f in frames), "ultrasound frames 1 and 30 as JPEG")
    try:
        doctor.retrieve_instance_frames(
            str(us.StudyInstanceUID), str(us.SeriesInstanceUID), str(us.SOPInstanceUID), frame_numbers=[31]
        )
        check(False, "frame 31 of 30 is refused")
    except HTTPError as e:
        check(e.response.status_code == 404, "frame 31 of 30 is 404")

    # Bulk data, where the metadata points.
    meta = doctor.retrieve_instance_metadata(str(ct.StudyInstanceUID), str(ct.SeriesInstanceUID), str(ct.SOPInstanceUID))
    bulk = doctor.retrieve_bulkdata(meta["7FE00010"]["BulkDataURI"])
    check(bulk[0] == ct.PixelData, "bulk data: the CT's pixel data")

    # Rendered images.
    png = doctor.retrieve_instance_rendered(
        str(ct.StudyInstanceUID), str(ct.SeriesInstanceUID), str(ct.SOPInstanceUID), media_types=("image/png",)
    )
    check(png[:8] == b"\x89PNG\r\n\x1a\n", "rendered instance as PNG")
    jpeg = doctor.retrieve_instance_frames_rendered(
        str(us.StudyInstanceUID), str(us.SeriesInstanceUID), str(us.SOPInstanceUID), frame_numbers=[15],
        media_types=("image/jpeg",), params={"viewport": "128,128"},
    )
    check(jpeg[:2] == b"\xff\xd8", "rendered frame 15 as JPEG in a 128x128 viewport")

    # Unknown objects.
    try:
        doctor.retrieve_study_metadata("1.2.3.4.5.6.7")
        check(False, "an unknown study is refused")
    except HTTPError as e:
        check(e.response.status_code == 404, "an unknown study is 404")
    print("dicomweb-client: every check passed")


if __name__ == "__main__":
    main()
