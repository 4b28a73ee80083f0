"""HL7 FHIR R4: the questions as a Questionnaire, a consultation as a Bundle, and a
QuestionnaireResponse read back as answers.  Plain dicts in, plain JSON out: the
runtime needs no FHIR library; the tests validate every resource with fhir.resources."""
