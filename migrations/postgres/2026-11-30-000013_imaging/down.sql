DROP TABLE dicom_worklist;
DROP TABLE blob_trash;
DROP TABLE dicom_thumbnails;
DROP TABLE dicom_images;
DROP TABLE dicom_series;
DROP TABLE dicom_studies;
